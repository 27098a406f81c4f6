-- W1 Average caseload (context; INDICATORS.md "Practice indicators").
-- Days counted: the last day of every calendar month that ends inside [$start, $end] (the
-- month may start before $start). On each such day, per unit: numerator = episodes of the
-- unit in care on the day (episodes.unit_id; removal_date <= day and discharge_date NULL or
-- > day; any age), denominator = caseworkers (role caseworker) of the unit employed on the
-- day (hire_date <= day and separation_date NULL or > day). One analysis row per unit ×
-- month-end, so the runner's sums per unit, region and agency are exactly
-- Σ episodes / Σ caseworkers. A unit with episodes but no caseworker on a day (or the other
-- way round) keeps its row: its episodes or workers still count in the region and agency sums.
-- Choices where the rules leave one open:
-- * A caseworker who separates on a month-end day is not employed on it (separation_date
--   must be after the day); one hired on the day is employed on it.
-- * Episodes count whether or not the child is in `children` (age plays no part).
-- * Workers with role supervisor or other are never counted.
WITH p AS (
    SELECT CAST($start AS DATE) AS p_start, CAST($end AS DATE) AS p_end
),
days AS (
    SELECT DISTINCT CAST(last_day(CAST(m AS DATE)) AS DATE) AS day
    FROM p, generate_series(CAST(date_trunc('month', p.p_start) AS TIMESTAMP),
                            CAST(p.p_end AS TIMESTAMP), INTERVAL 1 MONTH) AS g(m)
    WHERE last_day(CAST(m AS DATE)) BETWEEN p.p_start AND p.p_end
),
open_episodes AS (
    SELECT e.unit_id, d.day, COUNT(*) AS n
    FROM days d
    JOIN episodes e ON e.removal_date <= d.day
                   AND (e.discharge_date IS NULL OR e.discharge_date > d.day)
    GROUP BY e.unit_id, d.day
),
caseworkers AS (
    SELECT w.unit_id, d.day, COUNT(*) AS n
    FROM days d
    JOIN workers w ON w.hire_date <= d.day
                  AND (w.separation_date IS NULL OR w.separation_date > d.day)
    WHERE w.role = 'caseworker'
    GROUP BY w.unit_id, d.day
),
unit_days AS (
    SELECT COALESCE(o.unit_id, c.unit_id) AS unit_id,
           COALESCE(o.n, 0) AS episodes,
           COALESCE(c.n, 0) AS workers
    FROM open_episodes o
    FULL OUTER JOIN caseworkers c ON c.unit_id IS NOT DISTINCT FROM o.unit_id AND c.day = o.day
)
SELECT 'W1' AS indicator_id,
       ud.unit_id,
       u.region,
       CAST(NULL AS VARCHAR) AS age_group,
       CAST(NULL AS VARCHAR) AS sex,
       CAST(NULL AS VARCHAR) AS race_ethnicity,
       CAST(NULL AS VARCHAR) AS source_group,
       CAST(ud.episodes AS DOUBLE) AS numerator,
       CAST(ud.workers AS DOUBLE) AS denominator
FROM unit_days ud
LEFT JOIN units u ON u.unit_id = ud.unit_id
