-- P3 — Permanency in 12 months for children in care 24 months or more (CFSR Round 4
-- definition, observed performance, not risk-adjusted). One analysis row per episode.
--
-- Rule (INDICATORS.md): episodes in care on the period start (removal_date <= start and
-- discharge_date NULL or > start), child under 18 on the start, with
-- removal_date + 24 months <= start (calendar months).
-- Numerator: permanency exit (reunification, relative, adoption, guardianship), adjusted exit
-- date < start + 12 months, and discharge_date < the 18th birthday. Only the period start is
-- used; follow-up ends 12 months after it.
--
-- Choices where the rule leaves one open:
-- * The child must be in the children table (no birth date, no age test).
-- * Adjusted exit date as in P1: the last placement is the latest start_date, ties by the
--   largest placement_id; a trial_home_visit that began more than 30 days before a
--   reunification discharge gives start_date + 30 days. The adjusted date may fall before
--   the period start (a long trial home visit); the rule is applied as written.
-- * Short stays need no test (the episode has lasted 24 months or more).
-- * Unit: the episode's unit_id; region: that unit's region. Age group on the period start.
WITH cohort AS (
    SELECT e.episode_id, e.child_id, e.removal_date, e.discharge_date, e.discharge_reason,
           e.unit_id, c.birth_date, c.sex, c.race_ethnicity
    FROM episodes e
    JOIN children c ON c.child_id = e.child_id
    WHERE e.removal_date <= $start
      AND (e.discharge_date IS NULL OR e.discharge_date > $start)
      AND $start < birthday18(c.birth_date)
      AND plus_months(e.removal_date, 24) <= $start
),
last_placement AS (
    SELECT p.episode_id, p.setting, p.start_date
    FROM placements p
    WHERE p.episode_id IN (SELECT episode_id FROM cohort)
    QUALIFY row_number() OVER (PARTITION BY p.episode_id
                               ORDER BY p.start_date DESC, p.placement_id DESC) = 1
),
exits AS (
    SELECT k.*,
           adjusted_exit(k.discharge_reason, k.discharge_date, lp.setting, lp.start_date)
               AS adjusted_exit
    FROM cohort k
    LEFT JOIN last_placement lp ON lp.episode_id = k.episode_id
)
SELECT
    CAST('P3' AS VARCHAR) AS indicator_id,
    CAST(x.unit_id AS VARCHAR) AS unit_id,
    CAST(u.region AS VARCHAR) AS region,
    CAST(age_group(x.birth_date, $start) AS VARCHAR) AS age_group,
    CAST(x.sex AS VARCHAR) AS sex,
    CAST(x.race_ethnicity AS VARCHAR) AS race_ethnicity,
    CAST(NULL AS VARCHAR) AS source_group,
    CAST(CASE WHEN permanency_exit(x.discharge_reason)
                   AND x.adjusted_exit < plus_months($start, 12)
                   AND x.discharge_date < birthday18(x.birth_date)
              THEN 1 ELSE 0 END AS DOUBLE) AS numerator,
    CAST(1 AS DOUBLE) AS denominator
FROM exits x
LEFT JOIN units u ON u.unit_id = x.unit_id
