-- P4 — Re-entry to foster care in 12 months (CFSR Round 4 exit cohort, observed
-- performance, not risk-adjusted). One analysis row per child in the exit cohort.
--
-- Rule (INDICATORS.md): drop short stays (short_stay, _macros.sql) from the exit cohort.
-- For each child take its earliest remaining episode with discharge_date in the period and
-- discharge_reason in (reunification, relative, guardianship; exit_home, _macros.sql) —
-- adoption is not an exit for this indicator — ties by the smallest episode_id, and drop it
-- when the child is 18 or older on discharge_date. Numerator: the child has another
-- episode, of any length (short stays included), with
-- discharge_date < removal_date < discharge_date + 12 calendar months.
-- Follow-up ends 12 months after the period end.
--
-- The short-stay exclusion applies to the exit cohort (the denominator) only: a re-entry
-- counts however long it lasts, as in CCWIP's CFSR methodology ("children in foster care
-- for less than 8 days ... are excluded from the denominator"). So the re-entry test reads
-- every episode of the child (`all_eps`), the cohort only the episodes that are not short.
--
-- Choices where the rule leaves one open:
-- * A re-entry on the discharge day (removal_date = discharge_date) is NOT a re-entry: the
--   rule asks for discharge_date < removal_date (strictly after).
-- * The discharge_reason filter is applied before the earliest episode is chosen ("earliest"
--   = earliest discharge_date, then smallest episode_id).
-- * The re-entry may happen at any age (the rule has no age test on the re-entry).
-- * The child must be in the children table (no birth date, no age test).
-- * Unit: the exit episode's unit_id; region: that unit's region. Age group on discharge_date.
WITH all_eps AS (
    SELECT e.episode_id, e.child_id, e.removal_date, e.discharge_date, e.discharge_reason,
           e.unit_id
    FROM episodes e
),
eps AS (
    SELECT * FROM all_eps WHERE NOT short_stay(removal_date, discharge_date)
),
first_exit AS (
    SELECT eps.*, c.birth_date, c.sex, c.race_ethnicity
    FROM eps
    JOIN children c ON c.child_id = eps.child_id
    WHERE eps.discharge_date BETWEEN $start AND $end
      AND exit_home(eps.discharge_reason)
    QUALIFY row_number() OVER (PARTITION BY eps.child_id
                               ORDER BY eps.discharge_date, eps.episode_id) = 1
),
cohort AS (
    SELECT * FROM first_exit WHERE discharge_date < birthday18(birth_date)
)
SELECT
    CAST('P4' AS VARCHAR) AS indicator_id,
    CAST(k.unit_id AS VARCHAR) AS unit_id,
    CAST(u.region AS VARCHAR) AS region,
    CAST(age_group(k.birth_date, k.discharge_date) AS VARCHAR) AS age_group,
    CAST(k.sex AS VARCHAR) AS sex,
    CAST(k.race_ethnicity AS VARCHAR) AS race_ethnicity,
    CAST(NULL AS VARCHAR) AS source_group,
    CAST(CASE WHEN EXISTS (
                  SELECT 1 FROM all_eps r
                  WHERE r.child_id = k.child_id
                    AND r.episode_id <> k.episode_id
                    AND k.discharge_date < r.removal_date
                    AND r.removal_date < plus_months(k.discharge_date, 12))
              THEN 1 ELSE 0 END AS DOUBLE) AS numerator,
    CAST(1 AS DOUBLE) AS denominator
FROM cohort k
LEFT JOIN units u ON u.unit_id = k.unit_id
