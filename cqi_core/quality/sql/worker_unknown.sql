-- Episodes and visits naming a worker who is not in the workers table.
-- Unit: the episode's unit; for a visit, the unit of the episode in care on the visit date.
SELECT 'episodes' AS source_table, e.episode_id AS record_key, e.child_id, e.unit_id,
       e.removal_date AS event_date,
       'worker ' || e.worker_id || ' is not in the workers table' AS detail
FROM episodes e
WHERE e.worker_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM workers w WHERE w.worker_id = e.worker_id)
UNION ALL
SELECT 'visits', v.visit_id, v.child_id,
       (SELECT arg_max(e.unit_id, e.removal_date) FROM episodes e
        WHERE e.child_id = v.child_id AND e.removal_date <= v.visit_date
          AND (e.discharge_date IS NULL OR e.discharge_date > v.visit_date)),
       v.visit_date,
       'worker ' || v.worker_id || ' is not in the workers table'
FROM visits v
WHERE v.worker_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM workers w WHERE w.worker_id = v.worker_id)
