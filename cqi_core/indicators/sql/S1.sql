-- S1 — Maltreatment in foster care (CFSR Round 4 definition, observed performance, not
-- risk-adjusted): victimizations per 100,000 days in care. One analysis row per episode
-- part; numerator = victimizations, denominator = days (the runner multiplies by 100,000).
--
-- Rule (INDICATORS.md): episodes that are not short stays (short_stay, _macros.sql). Each
-- episode's part in the period runs from greatest(removal_date, start) to
-- least(discharge_date, end + 1, 18th birthday), half-open; days = the difference when
-- positive (episodes with none drop out). A victim report is a report with disposition
-- substantiated or indicated, any perpetrator. Victimizations: the child's distinct victim
-- report dates inside the period that fall in the part ([part start, part end)) and are
-- past the episode's short-stay window (not within_short_stay of its removal_date). A
-- report date whose previous victim report date for the same child is exactly one day
-- earlier is not counted again (victimization_dates, _macros.sql).
--
-- Choices where the rule leaves one open:
-- * The "previous victim report date" is taken over ALL the child's distinct victim report
--   dates (before the period, outside care, in the first week of care included), so a date
--   one day after any victim report date is never counted, and in a run of consecutive
--   days only the first can count.
-- * Reports are matched to episodes by child_id only; the incident_date is not used.
-- * The child must be in the children table (the part ends at the 18th birthday).
-- * Unit: the episode's unit_id; region: that unit's region. Age group on the first day of
--   the episode's part in the period.
WITH parts AS (
    SELECT e.episode_id, e.child_id, e.removal_date, e.unit_id,
           c.birth_date, c.sex, c.race_ethnicity,
           greatest(e.removal_date, $start) AS part_start,
           least(e.discharge_date, CAST($end + 1 AS DATE), birthday18(c.birth_date)) AS part_end
    FROM episodes e
    JOIN children c ON c.child_id = e.child_id
    WHERE NOT short_stay(e.removal_date, e.discharge_date)
),
kept AS (
    SELECT * FROM parts WHERE part_end > part_start
),
countable AS (
    SELECT child_id, report_date
    FROM victimization_dates()
    WHERE report_date BETWEEN $start AND $end
),
victimizations AS (
    SELECT k.episode_id, count(*) AS n
    FROM kept k
    JOIN countable v ON v.child_id = k.child_id
    WHERE v.report_date >= k.part_start
      AND v.report_date < k.part_end
      AND NOT within_short_stay(k.removal_date, v.report_date)
    GROUP BY k.episode_id
)
SELECT
    CAST('S1' AS VARCHAR) AS indicator_id,
    CAST(k.unit_id AS VARCHAR) AS unit_id,
    CAST(u.region AS VARCHAR) AS region,
    CAST(age_group(k.birth_date, k.part_start) AS VARCHAR) AS age_group,
    CAST(k.sex AS VARCHAR) AS sex,
    CAST(k.race_ethnicity AS VARCHAR) AS race_ethnicity,
    CAST(NULL AS VARCHAR) AS source_group,
    CAST(coalesce(v.n, 0) AS DOUBLE) AS numerator,
    CAST(k.part_end - k.part_start AS DOUBLE) AS denominator
FROM kept k
LEFT JOIN victimizations v ON v.episode_id = k.episode_id
LEFT JOIN units u ON u.unit_id = k.unit_id
