-- Report rows received before the child's birth date (prenatal reports).
SELECT 'reports' AS source_table, r.report_id AS record_key, r.child_id, r.unit_id,
       r.report_date AS event_date,
       'report received ' || r.report_date::VARCHAR || ', child born '
         || c.birth_date::VARCHAR AS detail
FROM reports r JOIN children c ON c.child_id = r.child_id
WHERE r.report_date < c.birth_date
