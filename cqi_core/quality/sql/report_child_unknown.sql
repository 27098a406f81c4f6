-- Report rows whose child is not in the children table.
SELECT 'reports' AS source_table, r.report_id AS record_key, r.child_id, r.unit_id,
       r.report_date AS event_date,
       'child ' || r.child_id || ' is not in the children table' AS detail
FROM reports r
WHERE NOT EXISTS (SELECT 1 FROM children c WHERE c.child_id = r.child_id)
