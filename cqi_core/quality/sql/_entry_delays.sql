-- Not a check: the entry delay in days of every visit and report row with an entry date.
-- Unit: the visiting worker's unit for visits, the report's unit for reports.
SELECT 'visits' AS source, v.visit_id AS record_key, w.unit_id, v.visit_date AS event_date,
       (v.entered_date - v.visit_date)::BIGINT AS days
FROM visits v LEFT JOIN workers w ON w.worker_id = v.worker_id
WHERE v.entered_date IS NOT NULL AND v.visit_date IS NOT NULL
UNION ALL
SELECT 'reports', r.report_id, r.unit_id, r.report_date,
       (r.entered_date - r.report_date)::BIGINT
FROM reports r
WHERE r.entered_date IS NOT NULL AND r.report_date IS NOT NULL
