-- Episodes whose removal or discharge falls after the child's 21st birthday
-- (leaving care on the 21st birthday itself is not flagged).
SELECT 'episodes' AS source_table, e.episode_id AS record_key, e.child_id, e.unit_id,
       e.removal_date AS event_date,
       'born ' || c.birth_date::VARCHAR || ', 21 on '
         || CAST(c.birth_date + INTERVAL 21 YEAR AS DATE)::VARCHAR || '; ' || concat_ws(', ',
           CASE WHEN e.removal_date > c.birth_date + INTERVAL 21 YEAR
                THEN 'removed ' || e.removal_date::VARCHAR || ' (age '
                     || date_part('year', age(e.removal_date, c.birth_date))::VARCHAR || ')' END,
           CASE WHEN e.discharge_date > c.birth_date + INTERVAL 21 YEAR
                THEN 'discharged ' || e.discharge_date::VARCHAR || ' (age '
                     || date_part('year', age(e.discharge_date, c.birth_date))::VARCHAR || ')' END) AS detail
FROM episodes e JOIN children c ON c.child_id = e.child_id
WHERE e.removal_date > c.birth_date + INTERVAL 21 YEAR
   OR e.discharge_date > c.birth_date + INTERVAL 21 YEAR
