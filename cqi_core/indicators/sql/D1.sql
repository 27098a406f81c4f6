-- D1 Timely data entry (timeliness; INDICATORS.md "Practice indicators").
-- One analysis row per visit dated in [$start, $end] with an entered_date. Numerator 1 when
-- entered_date - visit_date <= $d1_days (config.yaml; 3 by default).
-- Unit = the visiting worker's unit (workers.unit_id of visits.worker_id); region = that
-- unit's region.
-- Choices where the rules leave one open:
-- * A visit with no worker_id, or a worker_id missing from `workers`, is counted with an
--   unknown unit (it stays in the agency total).
-- * Any visit counts, whether or not the child was in care or under 18 on the visit date.
-- * An entry dated before the visit gives a negative delay, which is within the limit
--   (counted timely, as the rule reads; the data quality page flags it).
WITH p AS (
    SELECT CAST($start AS DATE) AS p_start, CAST($end AS DATE) AS p_end
)
SELECT 'D1' AS indicator_id,
       w.unit_id,
       u.region,
       CAST(NULL AS VARCHAR) AS age_group,
       CAST(NULL AS VARCHAR) AS sex,
       CAST(NULL AS VARCHAR) AS race_ethnicity,
       CAST(NULL AS VARCHAR) AS source_group,
       CAST(CASE WHEN v.entered_date - v.visit_date <= $d1_days THEN 1 ELSE 0 END AS DOUBLE)
           AS numerator,
       CAST(1 AS DOUBLE) AS denominator
FROM visits v
CROSS JOIN p
LEFT JOIN workers w ON w.worker_id = v.worker_id
LEFT JOIN units u ON u.unit_id = w.unit_id
WHERE v.visit_date BETWEEN p.p_start AND p.p_end
  AND v.entered_date IS NOT NULL
