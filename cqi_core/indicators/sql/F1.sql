-- F1 Stakeholder feedback rating (quality; INDICATORS.md "Practice indicators").
-- One analysis row per feedback record with received_date in [$start, $end] and a rating;
-- numerator 1 when rated $f1_favourable (4) or higher. Feedback without a rating is left out.
-- Groups: unit = feedback.unit_id, region, source_group = feedback.source_group.
-- Choice where the rules leave one open:
-- * Region is the feedback's own region column; when that is empty (or blank) it is the
--   region of the feedback's unit; with neither it is unknown (NULL).
WITH p AS (
    SELECT CAST($start AS DATE) AS p_start, CAST($end AS DATE) AS p_end
)
SELECT 'F1' AS indicator_id,
       f.unit_id,
       COALESCE(NULLIF(trim(f.region), ''), u.region) AS region,
       CAST(NULL AS VARCHAR) AS age_group,
       CAST(NULL AS VARCHAR) AS sex,
       CAST(NULL AS VARCHAR) AS race_ethnicity,
       f.source_group,
       CAST(CASE WHEN f.rating >= $f1_favourable THEN 1 ELSE 0 END AS DOUBLE) AS numerator,
       CAST(1 AS DOUBLE) AS denominator
FROM feedback f
CROSS JOIN p
LEFT JOIN units u ON u.unit_id = f.unit_id
WHERE f.received_date BETWEEN p.p_start AND p.p_end
  AND f.rating IS NOT NULL
