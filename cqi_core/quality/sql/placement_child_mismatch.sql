-- Placements whose child differs from their episode's child.
SELECT 'placements' AS source_table, p.placement_id AS record_key, p.child_id, e.unit_id,
       p.start_date AS event_date,
       'placement is for child ' || p.child_id || ', episode ' || e.episode_id
         || ' is for child ' || e.child_id AS detail
FROM placements p JOIN episodes e ON e.episode_id = p.episode_id
WHERE p.child_id <> e.child_id
