-- Placements that end before they start (rejected by the importer).
SELECT 'placements' AS source_table, p.placement_id AS record_key, p.child_id, e.unit_id,
       p.start_date AS event_date,
       'ends ' || p.end_date::VARCHAR || ', before its start date ' || p.start_date::VARCHAR AS detail
FROM placements p LEFT JOIN episodes e ON e.episode_id = p.episode_id
WHERE p.end_date < p.start_date
