-- W2 Caseworker turnover (performance; INDICATORS.md "Practice indicators").
-- Caseworkers (role caseworker) whose separation_date is in [$start, $end] / the mean of the
-- caseworkers employed on $start and on $end (employed on d: hire_date <= d and
-- separation_date NULL or > d, as in W1). One analysis row per caseworker who separated in the
-- period or was employed on $start or on $end: numerator 1 when separated in the period,
-- denominator (employed on $start + employed on $end) / 2, i.e. 0, 0.5 or 1. The sums per
-- unit, region and agency are then separations / mean headcount.
-- Unit = the worker's unit_id; region = that unit's region.
-- Choices where the rules leave one open:
-- * A caseworker who separates on $end counts as a separation and is not employed on $end;
--   one who separates on $start counts as a separation and is not employed on $start.
-- * A caseworker hired and separated inside the period adds 1 to the numerator and nothing
--   to the denominator (as the rule reads).
-- * The worker's current unit_id is used for the whole period (the export has no history of
--   unit moves).
WITH p AS (
    SELECT CAST($start AS DATE) AS p_start, CAST($end AS DATE) AS p_end
),
flags AS (
    SELECT w.unit_id,
           CASE WHEN w.separation_date BETWEEN p.p_start AND p.p_end THEN 1 ELSE 0 END
               AS separated,
           CASE WHEN w.hire_date <= p.p_start
                 AND (w.separation_date IS NULL OR w.separation_date > p.p_start)
                THEN 1 ELSE 0 END AS on_start,
           CASE WHEN w.hire_date <= p.p_end
                 AND (w.separation_date IS NULL OR w.separation_date > p.p_end)
                THEN 1 ELSE 0 END AS on_end
    FROM workers w, p
    WHERE w.role = 'caseworker'
)
SELECT 'W2' AS indicator_id,
       f.unit_id,
       u.region,
       CAST(NULL AS VARCHAR) AS age_group,
       CAST(NULL AS VARCHAR) AS sex,
       CAST(NULL AS VARCHAR) AS race_ethnicity,
       CAST(NULL AS VARCHAR) AS source_group,
       CAST(f.separated AS DOUBLE) AS numerator,
       CAST(f.on_start + f.on_end AS DOUBLE) / 2 AS denominator
FROM flags f
LEFT JOIN units u ON u.unit_id = f.unit_id
WHERE f.separated = 1 OR f.on_start = 1 OR f.on_end = 1
