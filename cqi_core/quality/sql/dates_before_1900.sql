-- Records with any date before 1900-01-01, one row per record naming every such date.
WITH latest AS (
    SELECT child_id, arg_max(unit_id, removal_date) AS unit_id
    FROM episodes GROUP BY child_id
)
SELECT 'children' AS source_table, c.child_id AS record_key, c.child_id, l.unit_id,
       c.birth_date AS event_date,
       'before 1900: birth_date ' || c.birth_date::VARCHAR AS detail
FROM children c LEFT JOIN latest l ON l.child_id = c.child_id
WHERE c.birth_date < DATE '1900-01-01'
UNION ALL
SELECT 'episodes', e.episode_id, e.child_id, e.unit_id, e.removal_date,
       'before 1900: ' || concat_ws(', ',
           CASE WHEN e.removal_date < DATE '1900-01-01' THEN 'removal_date ' || e.removal_date::VARCHAR END,
           CASE WHEN e.discharge_date < DATE '1900-01-01' THEN 'discharge_date ' || e.discharge_date::VARCHAR END)
FROM episodes e
WHERE e.removal_date < DATE '1900-01-01' OR e.discharge_date < DATE '1900-01-01'
UNION ALL
SELECT 'placements', p.placement_id, p.child_id, e.unit_id, p.start_date,
       'before 1900: ' || concat_ws(', ',
           CASE WHEN p.start_date < DATE '1900-01-01' THEN 'start_date ' || p.start_date::VARCHAR END,
           CASE WHEN p.end_date < DATE '1900-01-01' THEN 'end_date ' || p.end_date::VARCHAR END)
FROM placements p LEFT JOIN episodes e ON e.episode_id = p.episode_id
WHERE p.start_date < DATE '1900-01-01' OR p.end_date < DATE '1900-01-01'
UNION ALL
SELECT 'reports', r.report_id, r.child_id, r.unit_id, r.report_date,
       'before 1900: ' || concat_ws(', ',
           CASE WHEN r.report_date < DATE '1900-01-01' THEN 'report_date ' || r.report_date::VARCHAR END,
           CASE WHEN r.incident_date < DATE '1900-01-01' THEN 'incident_date ' || r.incident_date::VARCHAR END,
           CASE WHEN r.first_contact_date < DATE '1900-01-01' THEN 'first_contact_date ' || r.first_contact_date::VARCHAR END,
           CASE WHEN r.entered_date < DATE '1900-01-01' THEN 'entered_date ' || r.entered_date::VARCHAR END)
FROM reports r
WHERE r.report_date < DATE '1900-01-01' OR r.incident_date < DATE '1900-01-01'
   OR r.first_contact_date < DATE '1900-01-01' OR r.entered_date < DATE '1900-01-01'
UNION ALL
SELECT 'visits', v.visit_id, v.child_id, w.unit_id, v.visit_date,
       'before 1900: ' || concat_ws(', ',
           CASE WHEN v.visit_date < DATE '1900-01-01' THEN 'visit_date ' || v.visit_date::VARCHAR END,
           CASE WHEN v.entered_date < DATE '1900-01-01' THEN 'entered_date ' || v.entered_date::VARCHAR END)
FROM visits v LEFT JOIN workers w ON w.worker_id = v.worker_id
WHERE v.visit_date < DATE '1900-01-01' OR v.entered_date < DATE '1900-01-01'
UNION ALL
SELECT 'workers', w.worker_id, NULL::VARCHAR, w.unit_id, w.hire_date,
       'before 1900: ' || concat_ws(', ',
           CASE WHEN w.hire_date < DATE '1900-01-01' THEN 'hire_date ' || w.hire_date::VARCHAR END,
           CASE WHEN w.separation_date < DATE '1900-01-01' THEN 'separation_date ' || w.separation_date::VARCHAR END)
FROM workers w
WHERE w.hire_date < DATE '1900-01-01' OR w.separation_date < DATE '1900-01-01'
UNION ALL
SELECT 'reviews', rv.review_id, rv.child_id, rv.unit_id, rv.review_date,
       'before 1900: ' || concat_ws(', ',
           CASE WHEN rv.review_date < DATE '1900-01-01' THEN 'review_date ' || rv.review_date::VARCHAR END,
           CASE WHEN rv.period_start < DATE '1900-01-01' THEN 'period_start ' || rv.period_start::VARCHAR END,
           CASE WHEN rv.period_end < DATE '1900-01-01' THEN 'period_end ' || rv.period_end::VARCHAR END)
FROM reviews rv
WHERE rv.review_date < DATE '1900-01-01' OR rv.period_start < DATE '1900-01-01'
   OR rv.period_end < DATE '1900-01-01'
UNION ALL
SELECT 'feedback', f.feedback_id, NULL::VARCHAR, f.unit_id, f.received_date,
       'before 1900: received_date ' || f.received_date::VARCHAR
FROM feedback f WHERE f.received_date < DATE '1900-01-01'
UNION ALL
SELECT 'staff_survey', s.response_id, NULL::VARCHAR, s.unit_id, s.survey_date,
       'before 1900: survey_date ' || s.survey_date::VARCHAR
FROM staff_survey s WHERE s.survey_date < DATE '1900-01-01'
