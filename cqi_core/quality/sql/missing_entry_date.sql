-- Visits and report rows with no entry date.
SELECT 'visits' AS source_table, v.visit_id AS record_key, v.child_id, w.unit_id,
       v.visit_date AS event_date, 'no entry date' AS detail
FROM visits v LEFT JOIN workers w ON w.worker_id = v.worker_id
WHERE v.entered_date IS NULL
UNION ALL
SELECT 'reports', r.report_id, r.child_id, r.unit_id, r.report_date, 'no entry date'
FROM reports r
WHERE r.entered_date IS NULL
