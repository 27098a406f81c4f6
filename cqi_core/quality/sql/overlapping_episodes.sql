-- Episodes overlapping another episode of the same child. Episodes are half-open
-- [removal_date, discharge_date): a and b overlap when each starts before the other ends.
SELECT 'episodes' AS source_table, a.episode_id AS record_key, a.child_id, a.unit_id,
       a.removal_date AS event_date,
       'overlaps ' || string_agg(b.episode_id || ' (' || b.removal_date::VARCHAR || ' to '
                                 || coalesce(b.discharge_date::VARCHAR, 'open') || ')', ', '
                                 ORDER BY b.removal_date, b.episode_id) AS detail
FROM episodes a
JOIN episodes b
  ON b.child_id = a.child_id AND b.episode_id <> a.episode_id
 AND a.removal_date < coalesce(b.discharge_date, DATE '9999-12-31')
 AND b.removal_date < coalesce(a.discharge_date, DATE '9999-12-31')
GROUP BY a.episode_id, a.child_id, a.unit_id, a.removal_date
