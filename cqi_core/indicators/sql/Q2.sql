-- Q2 Case review outcome achievement, one indicator per outcome: 'Q2.S1', 'Q2.S2', 'Q2.P1',
-- 'Q2.P2', 'Q2.WB1', 'Q2.WB2', 'Q2.WB3' (quality; INDICATORS.md "Case review roll-up").
-- One analysis row per review with review_date in [$start, $end] × outcome that is
-- applicable for it; numerator 1 when the outcome is substantially achieved.
-- First reviews only: a quality-assurance second review (qa_of_review_id set) is left out.
-- The roll-up is data, not code: the runner loads review_rollup.yaml into the temp tables
-- osri_items(item, outcome) and osri_outcomes(outcome, single_item), and the shared macro
-- review_outcome_ratings (_macros.sql) rates each outcome from its applicable items (rated
-- strength or area needing improvement): all strength → substantially achieved; none
-- applicable → not applicable (no row); single-item outcome otherwise → not achieved;
-- other outcomes → at least one strength → partially achieved, else not achieved. An item
-- with no rating row is not applicable.
-- Item 12 comes from the shared macro effective_item_ratings (_macros.sql): with no item-12
-- row it is derived from 12A-12C (not applicable when none is applicable, strength when
-- every applicable sub-item is strength, else area needing improvement); a recorded item-12
-- row is used as recorded, except that a recorded strength becomes area needing improvement
-- when an applicable sub-item is area needing improvement. The sub-items belong to no outcome.
-- The rating (partially achieved vs not achieved) is worked out in full although only
-- substantially achieved counts in the numerator, so the case review pages can show it.
-- Unit = the review's unit_id; region = that unit's region.
WITH outcome_rating AS (
    SELECT * FROM review_outcome_ratings($start, $end, false)
)
SELECT 'Q2.' || o.outcome AS indicator_id,
       o.unit_id,
       u.region,
       CAST(NULL AS VARCHAR) AS age_group,
       CAST(NULL AS VARCHAR) AS sex,
       CAST(NULL AS VARCHAR) AS race_ethnicity,
       CAST(NULL AS VARCHAR) AS source_group,
       CAST(CASE WHEN o.rating = 'substantially_achieved' THEN 1 ELSE 0 END AS DOUBLE)
           AS numerator,
       CAST(1 AS DOUBLE) AS denominator
FROM outcome_rating o
LEFT JOIN units u ON u.unit_id = o.unit_id
