-- First reviews dated in [$start, $end], one row per review × item with its effective
-- rating (the shared macro review_item_ratings of the indicators: item 12 settled from
-- 12A-12C, quality-assurance reviews left out, exactly as in Q1) and the review's
-- descriptors. Not applicable ratings are kept: the callers count them separately.
SELECT ef.review_id,
       r.review_date,
       r.child_id,
       r.unit_id,
       u.unit_name,
       u.region,
       r.case_type,
       r.reviewer,
       ef.item,
       ef.rating
FROM review_item_ratings($start, $end) ef
JOIN reviews r ON r.review_id = ef.review_id
LEFT JOIN units u ON u.unit_id = r.unit_id
