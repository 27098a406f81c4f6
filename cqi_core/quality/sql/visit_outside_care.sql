-- Visits on a day no episode of the child covers (in care on d: removal_date <= d and
-- discharge_date NULL or after d). Unit: the visiting worker's unit.
WITH has_episode AS (SELECT DISTINCT child_id FROM episodes)
SELECT 'visits' AS source_table, v.visit_id AS record_key, v.child_id, w.unit_id,
       v.visit_date AS event_date,
       CASE WHEN h.child_id IS NOT NULL
            THEN 'the child was not in care on ' || v.visit_date::VARCHAR
            ELSE 'the child has no removal episode' END AS detail
FROM visits v
LEFT JOIN workers w ON w.worker_id = v.worker_id
LEFT JOIN has_episode h ON h.child_id = v.child_id
WHERE NOT EXISTS (
    SELECT 1 FROM episodes e
    WHERE e.child_id = v.child_id AND e.removal_date <= v.visit_date
      AND (e.discharge_date IS NULL OR e.discharge_date > v.visit_date))
