-- Discharged episodes without a discharge reason (period: the discharge date).
SELECT 'episodes' AS source_table, e.episode_id AS record_key, e.child_id, e.unit_id,
       e.discharge_date AS event_date,
       'discharged ' || e.discharge_date::VARCHAR || ' with no discharge reason' AS detail
FROM episodes e
WHERE e.discharge_date IS NOT NULL AND e.discharge_reason IS NULL
