-- Episodes in care on the as-of date with no placement of the episode covering that date.
WITH last_end AS (
    SELECT episode_id, max(end_date) AS last_end FROM placements GROUP BY episode_id
)
SELECT 'episodes' AS source_table, e.episode_id AS record_key, e.child_id, e.unit_id,
       e.removal_date AS event_date,
       CASE WHEN l.episode_id IS NULL
            THEN 'in care on ' || $as_of::VARCHAR || ' with no placement recorded'
            ELSE 'in care on ' || $as_of::VARCHAR || ' with no placement on that date'
                 || coalesce(' (last one ended ' || l.last_end::VARCHAR || ')', '') END AS detail
FROM episodes e
LEFT JOIN last_end l ON l.episode_id = e.episode_id
WHERE e.removal_date <= $as_of AND (e.discharge_date IS NULL OR e.discharge_date > $as_of)
  AND NOT EXISTS (
      SELECT 1 FROM placements p
      WHERE p.episode_id = e.episode_id AND p.start_date <= $as_of
        AND (p.end_date IS NULL OR p.end_date > $as_of))
