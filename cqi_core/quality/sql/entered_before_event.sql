-- Visits and report rows entered before the visit or report date.
SELECT 'visits' AS source_table, v.visit_id AS record_key, v.child_id, w.unit_id,
       v.visit_date AS event_date,
       'entered ' || v.entered_date::VARCHAR || ', before the visit date '
         || v.visit_date::VARCHAR AS detail
FROM visits v LEFT JOIN workers w ON w.worker_id = v.worker_id
WHERE v.entered_date < v.visit_date
UNION ALL
SELECT 'reports', r.report_id, r.child_id, r.unit_id, r.report_date,
       'entered ' || r.entered_date::VARCHAR || ', before the report date '
         || r.report_date::VARCHAR
FROM reports r
WHERE r.entered_date < r.report_date
