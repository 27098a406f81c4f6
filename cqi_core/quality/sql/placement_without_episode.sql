-- Placements pointing to an episode that does not exist (rejected by the importer).
SELECT 'placements' AS source_table, p.placement_id AS record_key, p.child_id,
       NULL::VARCHAR AS unit_id, p.start_date AS event_date,
       'episode ' || coalesce(p.episode_id, '(none)') || ' is not in the episodes table' AS detail
FROM placements p
WHERE NOT EXISTS (SELECT 1 FROM episodes e WHERE e.episode_id = p.episode_id)
