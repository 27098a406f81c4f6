-- Records with a date after the as-of date, one row per record naming every such date.
-- Entry and first-contact dates are left out: with the default as-of date (the latest
-- event date) they are legitimately later. Reviews, feedback and surveys have their own
-- timelines and are left out too.
WITH latest AS (
    SELECT child_id, arg_max(unit_id, removal_date) AS unit_id
    FROM episodes GROUP BY child_id
)
SELECT 'children' AS source_table, c.child_id AS record_key, c.child_id, l.unit_id,
       c.birth_date AS event_date,
       'after the as-of date ' || $as_of::VARCHAR || ': birth_date ' || c.birth_date::VARCHAR AS detail
FROM children c LEFT JOIN latest l ON l.child_id = c.child_id
WHERE c.birth_date > $as_of
UNION ALL
SELECT 'episodes', e.episode_id, e.child_id, e.unit_id, e.removal_date,
       'after the as-of date ' || $as_of::VARCHAR || ': ' || concat_ws(', ',
           CASE WHEN e.removal_date > $as_of THEN 'removal_date ' || e.removal_date::VARCHAR END,
           CASE WHEN e.discharge_date > $as_of THEN 'discharge_date ' || e.discharge_date::VARCHAR END)
FROM episodes e
WHERE e.removal_date > $as_of OR e.discharge_date > $as_of
UNION ALL
SELECT 'placements', p.placement_id, p.child_id, e.unit_id, p.start_date,
       'after the as-of date ' || $as_of::VARCHAR || ': ' || concat_ws(', ',
           CASE WHEN p.start_date > $as_of THEN 'start_date ' || p.start_date::VARCHAR END,
           CASE WHEN p.end_date > $as_of THEN 'end_date ' || p.end_date::VARCHAR END)
FROM placements p LEFT JOIN episodes e ON e.episode_id = p.episode_id
WHERE p.start_date > $as_of OR p.end_date > $as_of
UNION ALL
SELECT 'reports', r.report_id, r.child_id, r.unit_id, r.report_date,
       'after the as-of date ' || $as_of::VARCHAR || ': ' || concat_ws(', ',
           CASE WHEN r.report_date > $as_of THEN 'report_date ' || r.report_date::VARCHAR END,
           CASE WHEN r.incident_date > $as_of THEN 'incident_date ' || r.incident_date::VARCHAR END)
FROM reports r
WHERE r.report_date > $as_of OR r.incident_date > $as_of
UNION ALL
SELECT 'visits', v.visit_id, v.child_id, w.unit_id, v.visit_date,
       'after the as-of date ' || $as_of::VARCHAR || ': visit_date ' || v.visit_date::VARCHAR
FROM visits v LEFT JOIN workers w ON w.worker_id = v.worker_id
WHERE v.visit_date > $as_of
UNION ALL
SELECT 'workers', w.worker_id, NULL::VARCHAR, w.unit_id, w.hire_date,
       'after the as-of date ' || $as_of::VARCHAR || ': ' || concat_ws(', ',
           CASE WHEN w.hire_date > $as_of THEN 'hire_date ' || w.hire_date::VARCHAR END,
           CASE WHEN w.separation_date > $as_of THEN 'separation_date ' || w.separation_date::VARCHAR END)
FROM workers w
WHERE w.hire_date > $as_of OR w.separation_date > $as_of
