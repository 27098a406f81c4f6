-- Q1 Case review item strength rate, one indicator per item: 'Q1.1' … 'Q1.18' and
-- 'Q1.12A', 'Q1.12B', 'Q1.12C' (quality; INDICATORS.md "Practice indicators").
-- One analysis row per review with review_date in [$start, $end] × item rated other than
-- not_applicable; numerator 1 when rated strength. An item with no rating row is not
-- applicable (no row). Item labels are stored canonical ('4', '12A'; the importer reads
-- "Item 4" as '4'). Unit = the review's unit_id; region = that unit's region.
-- Item 12 (INDICATORS.md "Case review roll-up"): "strength only when every applicable
-- sub-item (12A, 12B, 12C) is strength; when only sub-items are given, item 12 is derived
-- from them". So:
-- * no item-12 row, sub-item rows present → derived: not applicable when no sub-item is
--   applicable, strength when every applicable sub-item is strength, else area needing
--   improvement;
-- * an item-12 row present → used as recorded, except that a recorded strength becomes area
--   needing improvement when an applicable sub-item is area needing improvement (the first
--   half of the rule holds whatever was recorded). A recorded area needing improvement or
--   not applicable stays as it is, even over all-strength sub-items: "only when" makes
--   all-strength sub-items necessary for a strength, not sufficient, and a recorded rating
--   may be a reviewer's or site leader's override.
-- Choice where the rules leave one open: the treatment of a recorded item-12 row above.
-- The sub-items are reported as they are recorded (Q1.12A-Q1.12C). Q2.sql repeats the same
-- item-12 rule: keep the two in step.
WITH p AS (
    SELECT CAST($start AS DATE) AS p_start, CAST($end AS DATE) AS p_end
),
rev AS (
    SELECT r.review_id, r.unit_id
    FROM reviews r, p
    WHERE r.review_date BETWEEN p.p_start AND p.p_end
),
given AS (
    SELECT rt.review_id, rt.item, rt.rating
    FROM ratings rt
    JOIN rev ON rev.review_id = rt.review_id
),
sub_12 AS (
    SELECT review_id,
           count(*) FILTER (WHERE rating <> 'not_applicable') AS applicable,
           count(*) FILTER (WHERE rating = 'area_needing_improvement') AS weak
    FROM given
    WHERE item IN ('12A', '12B', '12C')
    GROUP BY review_id
),
effective AS (
    SELECT review_id, item, rating FROM given WHERE item <> '12'
    UNION ALL
    SELECT COALESCE(g.review_id, s.review_id) AS review_id, '12' AS item,
           CASE WHEN g.review_id IS NULL THEN
                    CASE WHEN s.applicable = 0 THEN 'not_applicable'
                         WHEN s.weak = 0 THEN 'strength'
                         ELSE 'area_needing_improvement' END
                WHEN g.rating = 'strength' AND COALESCE(s.weak, 0) > 0
                    THEN 'area_needing_improvement'
                ELSE g.rating END AS rating
    FROM (SELECT review_id, rating FROM given WHERE item = '12') g
    FULL OUTER JOIN sub_12 s ON s.review_id = g.review_id
)
SELECT 'Q1.' || ef.item AS indicator_id,
       rev.unit_id,
       u.region,
       CAST(NULL AS VARCHAR) AS age_group,
       CAST(NULL AS VARCHAR) AS sex,
       CAST(NULL AS VARCHAR) AS race_ethnicity,
       CAST(NULL AS VARCHAR) AS source_group,
       CAST(CASE WHEN ef.rating = 'strength' THEN 1 ELSE 0 END AS DOUBLE) AS numerator,
       CAST(1 AS DOUBLE) AS denominator
FROM effective ef
JOIN rev ON rev.review_id = ef.review_id
LEFT JOIN units u ON u.unit_id = rev.unit_id
WHERE ef.rating <> 'not_applicable'
