-- T1 Timely start of investigations (timeliness; INDICATORS.md "Practice indicators").
-- One analysis row per distinct report_id with report_date in [$start, $end] and a
-- response_priority. Numerator 1 when the earliest first_contact_date over the report's rows
-- minus report_date is at most the window of its priority: 1 → $t1_window_1,
-- 2 → $t1_window_2, 3 → $t1_window_3 days (config.yaml; 1, 3, 10 by default).
-- Unit = the report's unit_id; region = that unit's region.
-- Choices where the rules leave one open:
-- * A report with no first_contact_date on any of its rows is counted and is not timely
--   (the investigation has not been shown to start).
-- * A first contact dated before the report date gives a negative difference, which is
--   within the window (counted timely, as the rule reads; the data quality page flags it).
-- * Rows of one report should share report_date, priority and unit. Should they differ, the
--   earliest report_date, the most urgent (smallest) priority and the smallest non-empty
--   unit_id of the report's rows are used, so the report is still counted once.
WITH p AS (
    SELECT CAST($start AS DATE) AS p_start, CAST($end AS DATE) AS p_end
),
report AS (
    SELECT report_id,
           MIN(report_date) AS report_date,
           MIN(response_priority) AS priority,
           MIN(unit_id) AS unit_id,
           MIN(first_contact_date) AS first_contact
    FROM reports
    GROUP BY report_id
),
counted AS (
    SELECT r.*,
           CASE r.priority WHEN 1 THEN $t1_window_1
                           WHEN 2 THEN $t1_window_2
                           WHEN 3 THEN $t1_window_3 END AS window_days
    FROM report r, p
    WHERE r.report_date BETWEEN p.p_start AND p.p_end
      AND r.priority IS NOT NULL
)
SELECT 'T1' AS indicator_id,
       c.unit_id,
       u.region,
       CAST(NULL AS VARCHAR) AS age_group,
       CAST(NULL AS VARCHAR) AS sex,
       CAST(NULL AS VARCHAR) AS race_ethnicity,
       CAST(NULL AS VARCHAR) AS source_group,
       CAST(CASE WHEN c.first_contact IS NOT NULL
                  AND c.first_contact - c.report_date <= c.window_days
                 THEN 1 ELSE 0 END AS DOUBLE) AS numerator,
       CAST(1 AS DOUBLE) AS denominator
FROM counted c
LEFT JOIN units u ON u.unit_id = c.unit_id
