-- Q1 Case review item strength rate, one indicator per item: 'Q1.1' … 'Q1.18' and
-- 'Q1.12A', 'Q1.12B', 'Q1.12C' (quality; INDICATORS.md "Practice indicators").
-- One analysis row per review with review_date in [$start, $end] × item rated other than
-- not_applicable; numerator 1 when rated strength. An item with no rating row is not
-- applicable (no row). Item labels are stored canonical ('4', '12A'; the importer reads
-- "Item 4" as '4'). Unit = the review's unit_id; region = that unit's region.
-- First reviews only: a quality-assurance second review of the same case (qa_of_review_id
-- set) is left out by the macro review_item_ratings, so no case counts twice.
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
-- The sub-items are reported as they are recorded (Q1.12A-Q1.12C). The item-12 rule lives
-- in the macro review_item_ratings (_macros.sql), which Q2 uses too.
WITH effective AS (
    SELECT * FROM review_item_ratings($start, $end)
)
SELECT 'Q1.' || ef.item AS indicator_id,
       ef.unit_id,
       u.region,
       CAST(NULL AS VARCHAR) AS age_group,
       CAST(NULL AS VARCHAR) AS sex,
       CAST(NULL AS VARCHAR) AS race_ethnicity,
       CAST(NULL AS VARCHAR) AS source_group,
       CAST(CASE WHEN ef.rating = 'strength' THEN 1 ELSE 0 END AS DOUBLE) AS numerator,
       CAST(1 AS DOUBLE) AS denominator
FROM effective ef
LEFT JOIN units u ON u.unit_id = ef.unit_id
WHERE ef.rating <> 'not_applicable'
