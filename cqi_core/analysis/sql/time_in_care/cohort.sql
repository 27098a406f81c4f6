-- Time in care: one row per entry into care in [$start, $end], with how (and in which month
-- since removal) the stay ended by the as-of date $as_of. analysis/time_in_care.py turns the
-- rows into cumulative incidence curves (Aalen–Johansen) and the Kaplan–Meier curve of any
-- exit; time_in_care.yaml maps discharge reasons to exit types.
--
-- The conventions are P1's (indicators/sql/P1.sql, macros in indicators/sql/_macros.sql),
-- so the curve's 12-month point of the cohort P1 counts is P1's figure:
-- * Short stays are not entries: an episode discharged within 7 days of removal is dropped
--   (short_stay), as P1 and the CFSR drop them. Open episodes are never short stays.
-- * Children 18 or older on removal_date are left out, and so are episodes of children not
--   in the children table (without a birth date neither rule can be applied).
-- * Every remaining episode with removal_date in the period is an entry (a child may enter
--   twice in one period; each stay is its own row). `entry` marks it: 'first' when the child
--   has no earlier remaining episode in the data (earlier removal_date, or the same day and
--   a smaller episode_id), else 're-entry'. `p1_cohort` marks the one entry P1 counts for
--   the child: the earliest in the period (ties by the smallest episode_id), kept only when
--   the child is under 18 on it (a child whose earliest entry in the period was at 18 or
--   over is not in P1's cohort at all, as in P1.sql).
-- * The exit date is the adjusted exit date (adjusted_exit: a reunification from a trial
--   home visit that began more than 30 days before discharge counts from its 30th day),
--   with the episode's last placement picked as P1 picks it (last_placement).
-- * A discharge on or after the 18th birthday is not a permanency exit in P1; here the stay
--   ends on the 18th birthday with the exit reason 'reached_18' (the yaml counts it as
--   'other'), and so does a stay still open on the as-of date of a child who turned 18
--   before it. Reaching 18 is a competing event, not censoring: the child can no longer
--   leave to permanency as P1 counts it.
-- * A discharge after the as-of date cannot be known on it: such a stay counts as open.
-- * Open stays are censored at the as-of date.
--
-- Months since removal, in P1's calendar arithmetic (plus_months): an exit on day d falls in
-- month m, the smallest m >= 1 with d < removal_date + m months, so "left by month 12" is
-- exactly P1's "adjusted exit date < removal_date + 12 months". A censored stay was
-- watched for `month` whole months: the largest k with removal_date + k months <= as_of + 1
-- day (0 when it began less than a month before the as-of date); it is at risk of leaving
-- in months 1 to k.
--
-- Groups: the episode's unit and that unit's region; age group on removal_date; sex and
-- race/ethnicity of the child (NULL groups become 'unknown' in Python).
WITH eps AS (
    SELECT e.episode_id, e.child_id, e.removal_date,
           CASE WHEN e.discharge_date <= CAST($as_of AS DATE) THEN e.discharge_date END
               AS discharge_date,
           CASE WHEN e.discharge_date <= CAST($as_of AS DATE) THEN e.discharge_reason END
               AS discharge_reason,
           e.unit_id, c.birth_date, c.sex, c.race_ethnicity
    FROM episodes e
    JOIN children c ON c.child_id = e.child_id
    WHERE NOT short_stay(e.removal_date, e.discharge_date)
      AND e.removal_date <= CAST($as_of AS DATE)
),
marked AS (
    SELECT *,
           row_number() OVER (PARTITION BY child_id ORDER BY removal_date, episode_id) = 1
               AS first_ever
    FROM eps
),
in_period AS (
    SELECT *,
           row_number() OVER (PARTITION BY child_id ORDER BY removal_date, episode_id) = 1
               AS first_in_period
    FROM marked
    WHERE removal_date BETWEEN $start AND $end
),
cohort AS (
    SELECT * FROM in_period WHERE removal_date < birthday18(birth_date)
),
ends AS (
    SELECT k.*,
           birthday18(k.birth_date) AS b18,
           adjusted_exit(k.discharge_reason, k.discharge_date, lp.setting, lp.start_date)
               AS adjusted_exit
    FROM cohort k
    LEFT JOIN last_placement('cohort') lp ON lp.episode_id = k.episode_id
),
outcome AS (
    SELECT *,
           CASE WHEN discharge_date IS NOT NULL AND discharge_date < b18 THEN 'exit'
                WHEN b18 <= coalesce(discharge_date, CAST($as_of AS DATE)) THEN 'reached_18'
                ELSE 'censored' END AS status
    FROM ends
)
SELECT
    CAST(o.episode_id AS VARCHAR) AS episode_id,
    CAST(o.child_id AS VARCHAR) AS child_id,
    o.removal_date,
    CASE WHEN o.first_ever THEN 'first' ELSE 're-entry' END AS entry,
    o.first_in_period AS p1_cohort,
    CASE o.status WHEN 'exit' THEN coalesce(CAST(o.discharge_reason AS VARCHAR), 'unknown')
                  WHEN 'reached_18' THEN 'reached_18' END AS exit_reason,
    CAST(CASE o.status
             WHEN 'exit' THEN month_index(o.removal_date, o.adjusted_exit)
             WHEN 'reached_18' THEN month_index(o.removal_date, o.b18)
             ELSE month_index(o.removal_date, CAST(CAST($as_of AS DATE) + 1 AS DATE)) - 1
         END AS INTEGER) AS month,
    CAST(o.unit_id AS VARCHAR) AS unit,
    CAST(u.region AS VARCHAR) AS region,
    CAST(age_group(o.birth_date, o.removal_date) AS VARCHAR) AS age_group,
    CAST(o.sex AS VARCHAR) AS sex,
    CAST(o.race_ethnicity AS VARCHAR) AS race_ethnicity
FROM outcome o
LEFT JOIN units u ON u.unit_id = o.unit_id
ORDER BY o.removal_date, o.episode_id
