-- P1 — Permanency in 12 months for children entering care (CFSR Round 4 definition,
-- observed performance, not risk-adjusted). One analysis row per child in the entry cohort.
--
-- Rule (INDICATORS.md): drop short stays (short_stay, _macros.sql; open episodes are
-- never short stays). For each child take its earliest remaining episode with
-- removal_date in the period (ties by the smallest episode_id) and drop it when the child is
-- 18 or older on removal_date. Numerator: permanency exit (reunification, relative, adoption,
-- guardianship), adjusted exit date < removal_date + 12 calendar months, and
-- discharge_date < the 18th birthday. Follow-up ends 12 months after the period end.
--
-- Choices where the rule leaves one open:
-- * The child must be in the children table: without a birth date the 18+ exclusion and the
--   birthday clause cannot be applied, so episodes of unknown children are left out.
-- * Adjusted exit date: the episode's last placement is the one with the latest start_date,
--   ties broken by the largest placement_id (last_placement, _macros.sql: the last row in
--   start_date, placement_id order, the order P5 uses). When the episode ends in reunification and that placement is
--   a trial_home_visit that began more than 30 days before discharge
--   (discharge_date - start_date > 30), the adjusted exit date is start_date + 30 days;
--   otherwise it is the discharge_date. Placements are matched to the episode by episode_id.
-- * Unit: the cohort episode's unit_id; region: that unit's region. Age group on removal_date.
WITH eps AS (
    SELECT e.episode_id, e.child_id, e.removal_date, e.discharge_date, e.discharge_reason,
           e.unit_id, c.birth_date, c.sex, c.race_ethnicity
    FROM episodes e
    JOIN children c ON c.child_id = e.child_id
    WHERE NOT short_stay(e.removal_date, e.discharge_date)
),
first_entry AS (
    SELECT *
    FROM eps
    WHERE removal_date BETWEEN $start AND $end
    QUALIFY row_number() OVER (PARTITION BY child_id ORDER BY removal_date, episode_id) = 1
),
cohort AS (
    SELECT * FROM first_entry WHERE removal_date < birthday18(birth_date)
),
exits AS (
    SELECT k.*,
           adjusted_exit(k.discharge_reason, k.discharge_date, lp.setting, lp.start_date)
               AS adjusted_exit
    FROM cohort k
    LEFT JOIN last_placement('cohort') lp ON lp.episode_id = k.episode_id
)
SELECT
    CAST('P1' AS VARCHAR) AS indicator_id,
    CAST(x.unit_id AS VARCHAR) AS unit_id,
    CAST(u.region AS VARCHAR) AS region,
    CAST(age_group(x.birth_date, x.removal_date) AS VARCHAR) AS age_group,
    CAST(x.sex AS VARCHAR) AS sex,
    CAST(x.race_ethnicity AS VARCHAR) AS race_ethnicity,
    CAST(NULL AS VARCHAR) AS source_group,
    CAST(CASE WHEN permanency_exit(x.discharge_reason)
                   AND x.adjusted_exit < plus_months(x.removal_date, 12)
                   AND x.discharge_date < birthday18(x.birth_date)
              THEN 1 ELSE 0 END AS DOUBLE) AS numerator,
    CAST(1 AS DOUBLE) AS denominator
FROM exits x
LEFT JOIN units u ON u.unit_id = x.unit_id
