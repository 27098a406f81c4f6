-- Episodes longer than 7,665 days; an open episode is counted up to the as-of date.
SELECT 'episodes' AS source_table, e.episode_id AS record_key, e.child_id, e.unit_id,
       e.removal_date AS event_date,
       (coalesce(e.discharge_date, $as_of) - e.removal_date)::VARCHAR || ' days in care ('
         || CASE WHEN e.discharge_date IS NULL
                 THEN 'still open on the as-of date ' || $as_of::VARCHAR
                 ELSE 'removed ' || e.removal_date::VARCHAR || ', discharged '
                      || e.discharge_date::VARCHAR END || ')' AS detail
FROM episodes e
WHERE coalesce(e.discharge_date, $as_of) - e.removal_date > 7665
