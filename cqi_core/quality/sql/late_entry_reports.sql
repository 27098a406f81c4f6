-- Report rows entered more than $late_days days after the report date.
SELECT 'reports' AS source_table, r.report_id AS record_key, r.child_id, r.unit_id,
       r.report_date AS event_date,
       'entered ' || r.entered_date::VARCHAR || ', ' || (r.entered_date - r.report_date)::VARCHAR
         || ' days after the report was received' AS detail
FROM reports r
WHERE r.entered_date - r.report_date > $late_days
