-- Visits on a day no episode of the child covers (in care on d: removal_date <= d and
-- discharge_date NULL or after d). Unit: the visiting worker's unit.
-- Written as an anti join (the visits with no covering episode, found by child with the
-- dates as a condition of the join): the same rows as NOT EXISTS, which DuckDB planned as a
-- grouping of all five million visits by child and date first, ten times slower.
WITH has_episode AS (SELECT DISTINCT child_id FROM episodes),
outside AS (
    SELECT v.visit_id, v.child_id, v.worker_id, v.visit_date
    FROM visits v
    ANTI JOIN episodes e ON e.child_id = v.child_id AND e.removal_date <= v.visit_date
                        AND (e.discharge_date IS NULL OR e.discharge_date > v.visit_date)
)
SELECT 'visits' AS source_table, v.visit_id AS record_key, v.child_id, w.unit_id,
       v.visit_date AS event_date,
       CASE WHEN h.child_id IS NOT NULL
            THEN 'the child was not in care on ' || v.visit_date::VARCHAR
            ELSE 'the child has no removal episode' END AS detail
FROM outside v
LEFT JOIN workers w ON w.worker_id = v.worker_id
LEFT JOIN has_episode h ON h.child_id = v.child_id
