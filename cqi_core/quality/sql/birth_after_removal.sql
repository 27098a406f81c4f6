-- Episodes of children born after the removal date or after the discharge date.
SELECT 'episodes' AS source_table, e.episode_id AS record_key, e.child_id, e.unit_id,
       e.removal_date AS event_date,
       'born ' || c.birth_date::VARCHAR || ', after the '
         || CASE WHEN c.birth_date > e.removal_date
                 THEN 'removal date ' || e.removal_date::VARCHAR
                 ELSE 'discharge date ' || e.discharge_date::VARCHAR END AS detail
FROM episodes e JOIN children c ON c.child_id = e.child_id
WHERE c.birth_date > e.removal_date OR c.birth_date > e.discharge_date
