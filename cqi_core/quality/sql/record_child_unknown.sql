-- Episodes, placements, visits and reviews whose child is not in the children table.
SELECT 'episodes' AS source_table, e.episode_id AS record_key, e.child_id, e.unit_id,
       e.removal_date AS event_date,
       'child ' || e.child_id || ' is not in the children table' AS detail
FROM episodes e
WHERE NOT EXISTS (SELECT 1 FROM children c WHERE c.child_id = e.child_id)
UNION ALL
SELECT 'placements', p.placement_id, p.child_id, e.unit_id, p.start_date,
       'child ' || p.child_id || ' is not in the children table'
FROM placements p LEFT JOIN episodes e ON e.episode_id = p.episode_id
WHERE NOT EXISTS (SELECT 1 FROM children c WHERE c.child_id = p.child_id)
UNION ALL
SELECT 'visits', v.visit_id, v.child_id, w.unit_id, v.visit_date,
       'child ' || v.child_id || ' is not in the children table'
FROM visits v LEFT JOIN workers w ON w.worker_id = v.worker_id
WHERE NOT EXISTS (SELECT 1 FROM children c WHERE c.child_id = v.child_id)
UNION ALL
SELECT 'reviews', rv.review_id, rv.child_id, rv.unit_id, rv.review_date,
       'child ' || rv.child_id || ' is not in the children table'
FROM reviews rv
WHERE NOT EXISTS (SELECT 1 FROM children c WHERE c.child_id = rv.child_id)
