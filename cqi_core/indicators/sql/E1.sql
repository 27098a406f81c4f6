-- E1 — Foster care entry rate (context, no direction): children entering care per 1,000
-- children in the population.
--
-- Rule (INDICATORS.md): children under 18 with an episode starting in the period (removal
-- date in the period), each child once, in the region of the unit of its earliest such
-- episode, per 1,000 child_population of the region for the calendar year of the period
-- end (whole agency: all regions together). Only where population is loaded.
--
-- Shape: one row per entering child (numerator 1, denominator 0) plus one row per region
-- with population for that year (numerator 0, denominator = child_population), so the
-- runner's sums give entries over population for the agency and for each region (the
-- runner multiplies by 1,000).
--
-- Choices where the rule leaves one open:
-- * "Under 18" is tested on the episode's removal_date; the earliest such episode is the one
--   with the earliest removal_date, ties by the smallest episode_id. Short stays count
--   (the rule does not drop them).
-- * "Only where population is loaded": children whose region has no population row for
--   the year are left out of the numerator too (for the agency and for the region), so a
--   rate never mixes regions with and without a population; with no population for the
--   year there are no rows at all.
-- * The child must be in the children table (no birth date, no age test).
-- * unit_id is the earliest episode's unit on the child rows (E1 is only grouped by region).
WITH pop AS (
    SELECT region, sum(child_population) AS child_population
    FROM population
    WHERE year = year($end)
    GROUP BY region
),
entries AS (
    SELECT e.child_id, e.unit_id, u.region
    FROM episodes e
    JOIN children c ON c.child_id = e.child_id
    LEFT JOIN units u ON u.unit_id = e.unit_id
    WHERE e.removal_date BETWEEN $start AND $end
      AND e.removal_date < birthday18(c.birth_date)
    QUALIFY row_number() OVER (PARTITION BY e.child_id
                               ORDER BY e.removal_date, e.episode_id) = 1
)
SELECT
    CAST('E1' AS VARCHAR) AS indicator_id,
    CAST(n.unit_id AS VARCHAR) AS unit_id,
    CAST(n.region AS VARCHAR) AS region,
    CAST(NULL AS VARCHAR) AS age_group,
    CAST(NULL AS VARCHAR) AS sex,
    CAST(NULL AS VARCHAR) AS race_ethnicity,
    CAST(NULL AS VARCHAR) AS source_group,
    CAST(1 AS DOUBLE) AS numerator,
    CAST(0 AS DOUBLE) AS denominator
FROM entries n
WHERE n.region IN (SELECT region FROM pop)
UNION ALL
SELECT
    CAST('E1' AS VARCHAR),
    CAST(NULL AS VARCHAR),
    CAST(p.region AS VARCHAR),
    CAST(NULL AS VARCHAR),
    CAST(NULL AS VARCHAR),
    CAST(NULL AS VARCHAR),
    CAST(NULL AS VARCHAR),
    CAST(0 AS DOUBLE),
    CAST(p.child_population AS DOUBLE)
FROM pop p
