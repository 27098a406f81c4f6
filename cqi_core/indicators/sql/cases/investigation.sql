-- Investigation response for each reviewed child (checked against item 1). T1's rule,
-- case by case: the reports about the child (any of its rows) received in the period
-- under review with a response priority; a report's date, priority and first contact are
-- taken over all its rows as in T1 (earliest date, most urgent priority, earliest first
-- contact); it is timely when first contact - report date <= the window of its priority
-- ($t1_window_1/2/3 days, indicators/config.yaml), and not timely without a first
-- contact. One row per review with at least one such report: value = timely reports,
-- base = reports; favourable when value >= $share × base.
WITH report AS (
    SELECT report_id, MIN(report_date) AS report_date, MIN(response_priority) AS priority,
           MIN(first_contact_date) AS first_contact
    FROM reports
    GROUP BY report_id
),
mine AS (
    SELECT DISTINCT cr.review_id, cr.pur_start, cr.pur_end, r.report_id
    FROM conjoint_reviews cr
    JOIN reports r ON r.child_id = cr.child_id
),
counted AS (
    SELECT m.review_id,
           rp.first_contact IS NOT NULL
           AND rp.first_contact - rp.report_date <= CASE rp.priority WHEN 1 THEN $t1_window_1
                                                                     WHEN 2 THEN $t1_window_2
                                                                     WHEN 3 THEN $t1_window_3 END
               AS timely
    FROM mine m
    JOIN report rp ON rp.report_id = m.report_id
    WHERE rp.report_date BETWEEN m.pur_start AND m.pur_end
      AND rp.priority IS NOT NULL
)
SELECT review_id,
       CAST(count(*) FILTER (WHERE timely) AS DOUBLE) AS value,
       CAST(count(*) AS DOUBLE) AS base,
       count(*) FILTER (WHERE timely) >= $share * count(*) AS favourable,
       CAST(NULL AS VARCHAR) AS detail
FROM counted
GROUP BY review_id
