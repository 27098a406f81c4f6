-- Records with no value in a date the contract requires (rejected by the importer).
SELECT 'children' AS source_table, c.child_id AS record_key, c.child_id,
       NULL::VARCHAR AS unit_id, NULL::DATE AS event_date, 'no birth date' AS detail
FROM children c WHERE c.birth_date IS NULL
UNION ALL
SELECT 'episodes', e.episode_id, e.child_id, e.unit_id, NULL::DATE, 'no removal date'
FROM episodes e WHERE e.removal_date IS NULL
UNION ALL
SELECT 'placements', p.placement_id, p.child_id, e.unit_id, NULL::DATE, 'no start date'
FROM placements p LEFT JOIN episodes e ON e.episode_id = p.episode_id
WHERE p.start_date IS NULL
UNION ALL
SELECT 'reports', r.report_id, r.child_id, r.unit_id, NULL::DATE, 'no report date'
FROM reports r WHERE r.report_date IS NULL
UNION ALL
SELECT 'visits', v.visit_id, v.child_id, w.unit_id, NULL::DATE, 'no visit date'
FROM visits v LEFT JOIN workers w ON w.worker_id = v.worker_id
WHERE v.visit_date IS NULL
UNION ALL
SELECT 'workers', w.worker_id, NULL::VARCHAR, w.unit_id, NULL::DATE, 'no hire date'
FROM workers w WHERE w.hire_date IS NULL
