-- First reviews dated in [$start, $end], one row per review × applicable outcome, rated by
-- the shared macro review_outcome_ratings (review_rollup.yaml; the same rule as Q2):
-- substantially_achieved, partially_achieved or not_achieved.
SELECT o.review_id,
       r.review_date,
       r.unit_id,
       u.unit_name,
       u.region,
       r.case_type,
       o.outcome,
       o.rating
FROM review_outcome_ratings($start, $end, false) o
JOIN reviews r ON r.review_id = o.review_id
LEFT JOIN units u ON u.unit_id = r.unit_id
