-- Earliest and latest date of each table's main date column(s).
SELECT 'children' AS table_name, min(birth_date) AS first_date, max(birth_date) AS last_date FROM children
UNION ALL SELECT 'workers', min(hire_date), greatest(max(hire_date), max(separation_date)) FROM workers
UNION ALL SELECT 'episodes', min(removal_date), greatest(max(removal_date), max(discharge_date)) FROM episodes
UNION ALL SELECT 'placements', min(start_date), greatest(max(start_date), max(end_date)) FROM placements
UNION ALL SELECT 'reports', min(report_date), max(report_date) FROM reports
UNION ALL SELECT 'visits', min(visit_date), max(visit_date) FROM visits
UNION ALL SELECT 'staff_survey', min(survey_date), max(survey_date) FROM staff_survey
UNION ALL SELECT 'reviews', min(review_date), max(review_date) FROM reviews
UNION ALL SELECT 'feedback', min(received_date), max(received_date) FROM feedback
