-- Episodes that end the day they began (period: the discharge date).
SELECT 'episodes' AS source_table, e.episode_id AS record_key, e.child_id, e.unit_id,
       e.discharge_date AS event_date,
       'removed and discharged on ' || e.removal_date::VARCHAR
         || coalesce(' (' || e.discharge_reason || ')', '') AS detail
FROM episodes e
WHERE e.discharge_date = e.removal_date
