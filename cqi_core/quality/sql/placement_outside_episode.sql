-- Placements that start before their episode, end after it, or stay open after it ended.
-- A placement may end on the discharge date (half-open intervals).
SELECT 'placements' AS source_table, p.placement_id AS record_key, p.child_id, e.unit_id,
       p.start_date AS event_date,
       CASE WHEN p.start_date < e.removal_date
            THEN 'starts ' || p.start_date::VARCHAR || ', before the removal date ' || e.removal_date::VARCHAR
            WHEN p.start_date > e.discharge_date
            THEN 'starts ' || p.start_date::VARCHAR || ', after the discharge date ' || e.discharge_date::VARCHAR
            WHEN p.end_date IS NULL
            THEN 'still open, but episode ' || e.episode_id || ' ended ' || e.discharge_date::VARCHAR
            ELSE 'ends ' || p.end_date::VARCHAR || ', after the discharge date ' || e.discharge_date::VARCHAR
       END AS detail
FROM placements p JOIN episodes e ON e.episode_id = p.episode_id
WHERE p.start_date < e.removal_date
   OR (e.discharge_date IS NOT NULL
       AND (p.start_date > e.discharge_date OR p.end_date IS NULL OR p.end_date > e.discharge_date))
