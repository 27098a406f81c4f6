-- S2 — Recurrence of maltreatment (CFSR Round 4 definition, observed performance, not
-- risk-adjusted). One analysis row per child with an index victimization in the period.
--
-- Rule (INDICATORS.md): a victim report is a report with disposition substantiated or
-- indicated (victim_report, _macros.sql), one row per report and child, so a report
-- naming two children counts for each. Children with a victim report date in the period on which they were born and
-- under 18 (birth_date <= report_date < 18th birthday); index = the earliest such date.
-- Numerator: a victim report of the child with index + 14 days < report_date <
-- index + 12 calendar months, leaving out a report whose incident_date equals the
-- incident_date of a victim report on the index date (both present). Follow-up ends 12
-- months after the period end.
--
-- Choices where the rule leaves one open:
-- * The recurrence report has no age or period test of its own (it may fall after the
--   period and after the 18th birthday).
-- * Only victim reports dated on the index date supply the incident dates to leave out.
-- * The child must be in the children table (no birth date, no age or birth test).
-- * Unit: the unit_id of the index date's victim report with the smallest report_id (NULL,
--   i.e. unknown, when that report has none); region: that unit's region. Age group on the
--   index date.
WITH victims AS (
    SELECT r.report_id, r.child_id, r.report_date, r.incident_date, r.unit_id
    FROM reports r
    WHERE victim_report(r.disposition)
),
index_dates AS (
    SELECT v.child_id, min(v.report_date) AS index_date,
           any_value(c.birth_date) AS birth_date, any_value(c.sex) AS sex,
           any_value(c.race_ethnicity) AS race_ethnicity
    FROM victims v
    JOIN children c ON c.child_id = v.child_id
    WHERE v.report_date BETWEEN $start AND $end
      AND c.birth_date <= v.report_date
      AND v.report_date < birthday18(c.birth_date)
    GROUP BY v.child_id
),
index_unit AS (
    SELECT i.child_id, v.unit_id
    FROM index_dates i
    JOIN victims v ON v.child_id = i.child_id AND v.report_date = i.index_date
    QUALIFY row_number() OVER (PARTITION BY i.child_id ORDER BY v.report_id) = 1
),
recurred AS (
    SELECT DISTINCT i.child_id
    FROM index_dates i
    JOIN victims v ON v.child_id = i.child_id
    WHERE v.report_date > CAST(i.index_date + 14 AS DATE)
      AND v.report_date < plus_months(i.index_date, 12)
      AND NOT EXISTS (
          SELECT 1 FROM victims x
          WHERE x.child_id = i.child_id
            AND x.report_date = i.index_date
            AND x.incident_date IS NOT NULL
            AND x.incident_date = v.incident_date)
)
SELECT
    CAST('S2' AS VARCHAR) AS indicator_id,
    CAST(iu.unit_id AS VARCHAR) AS unit_id,
    CAST(u.region AS VARCHAR) AS region,
    CAST(age_group(i.birth_date, i.index_date) AS VARCHAR) AS age_group,
    CAST(i.sex AS VARCHAR) AS sex,
    CAST(i.race_ethnicity AS VARCHAR) AS race_ethnicity,
    CAST(NULL AS VARCHAR) AS source_group,
    CAST(CASE WHEN rc.child_id IS NOT NULL THEN 1 ELSE 0 END AS DOUBLE) AS numerator,
    CAST(1 AS DOUBLE) AS denominator
FROM index_dates i
JOIN index_unit iu ON iu.child_id = i.child_id
LEFT JOIN recurred rc ON rc.child_id = i.child_id
LEFT JOIN units u ON u.unit_id = iu.unit_id
