-- Visits entered more than $late_days days after the visit. Unit: the visiting worker's unit.
SELECT 'visits' AS source_table, v.visit_id AS record_key, v.child_id, w.unit_id,
       v.visit_date AS event_date,
       'entered ' || v.entered_date::VARCHAR || ', ' || (v.entered_date - v.visit_date)::VARCHAR
         || ' days after the visit' AS detail
FROM visits v LEFT JOIN workers w ON w.worker_id = v.worker_id
WHERE v.entered_date - v.visit_date > $late_days
