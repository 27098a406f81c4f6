-- Workers whose separation date is before their hire date (rejected by the importer).
SELECT 'workers' AS source_table, w.worker_id AS record_key, NULL::VARCHAR AS child_id,
       w.unit_id, w.hire_date AS event_date,
       'left ' || w.separation_date::VARCHAR || ', before the hire date '
         || w.hire_date::VARCHAR AS detail
FROM workers w
WHERE w.separation_date < w.hire_date
