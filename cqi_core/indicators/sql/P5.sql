-- P5 — Placement stability (CFSR Round 4 definition, observed performance, not
-- risk-adjusted): moves per 1,000 days in care. One analysis row per episode; numerator =
-- moves, denominator = days (the runner multiplies the ratio by 1,000).
--
-- Rule (INDICATORS.md): episodes with removal_date in the period, not short stays
-- (short_stay, _macros.sql), child under 18 on removal_date; every such
-- episode of a child counts. Window end = least(discharge_date, end + 1, 18th birthday)
-- (an open episode has no discharge_date and least() skips it); days = window end -
-- removal_date. Counted placements: settings other than trial_home_visit and runaway,
-- ordered by start_date, ties by placement_id (ascending); the first is the initial
-- placement; moves = the later counted placements with start_date < window end.
--
-- Choices where the rule leaves one open:
-- * Placements are matched to the episode by episode_id and taken as recorded: the first
--   counted placement is the initial one even when it starts before removal_date or at or
--   after the window end (it is never a move); later ones count as moves whatever their
--   start_date relative to removal_date, as long as it is before the window end.
-- * An episode with no counted placement has 0 moves and keeps its days.
-- * The child must be in the children table (no birth date, no age test).
-- * Unit: the episode's unit_id; region: that unit's region. Age group on removal_date.
WITH cohort AS (
    SELECT e.episode_id, e.child_id, e.removal_date, e.unit_id,
           c.birth_date, c.sex, c.race_ethnicity,
           least(e.discharge_date, CAST($end + 1 AS DATE), birthday18(c.birth_date)) AS window_end
    FROM episodes e
    JOIN children c ON c.child_id = e.child_id
    WHERE e.removal_date BETWEEN $start AND $end
      AND NOT short_stay(e.removal_date, e.discharge_date)
      AND e.removal_date < birthday18(c.birth_date)
),
counted AS (
    SELECT p.episode_id, p.start_date,
           row_number() OVER (PARTITION BY p.episode_id
                              ORDER BY p.start_date, p.placement_id) AS seq
    FROM placements p
    WHERE p.episode_id IN (SELECT episode_id FROM cohort)
      AND p.setting NOT IN ('trial_home_visit', 'runaway')
),
moves AS (
    SELECT k.episode_id, count(*) AS moves
    FROM cohort k
    JOIN counted p ON p.episode_id = k.episode_id
    WHERE p.seq > 1 AND p.start_date < k.window_end
    GROUP BY k.episode_id
)
SELECT
    CAST('P5' AS VARCHAR) AS indicator_id,
    CAST(k.unit_id AS VARCHAR) AS unit_id,
    CAST(u.region AS VARCHAR) AS region,
    CAST(age_group(k.birth_date, k.removal_date) AS VARCHAR) AS age_group,
    CAST(k.sex AS VARCHAR) AS sex,
    CAST(k.race_ethnicity AS VARCHAR) AS race_ethnicity,
    CAST(NULL AS VARCHAR) AS source_group,
    CAST(coalesce(m.moves, 0) AS DOUBLE) AS numerator,
    CAST(k.window_end - k.removal_date AS DOUBLE) AS denominator
FROM cohort k
LEFT JOIN moves m ON m.episode_id = k.episode_id
LEFT JOIN units u ON u.unit_id = k.unit_id
