-- Each quality-assurance review paired with the first review of the same case, item by
-- item, for first reviews dated in [$start, $end]. A pair is placed in time, unit and case
-- type by its first review. Both sides use the effective ratings of the shared macro
-- (item 12 settled from its sub-items); an item one of the two reviews has no rating row for
-- is not applicable there, as in Q1. A QA review whose first review is missing, about
-- another child or itself a QA review is not paired (the data quality check
-- qa_review_unknown lists it).
WITH eff AS (
    SELECT review_id, item, rating FROM effective_item_ratings(DATE '1900-01-01', DATE '9999-12-31', true)
),
pairs AS (
    SELECT p.review_id, q.review_id AS qa_review_id, p.review_date, p.unit_id, p.case_type,
           p.reviewer, q.reviewer AS qa_reviewer
    FROM reviews q
    JOIN reviews p ON p.review_id = q.qa_of_review_id
    WHERE p.qa_of_review_id IS NULL
      AND p.child_id = q.child_id
      AND p.review_date BETWEEN CAST($start AS DATE) AND CAST($end AS DATE)
),
keyed AS (
    SELECT pr.*, e.item FROM pairs pr JOIN eff e ON e.review_id = pr.review_id
    UNION
    SELECT pr.*, e.item FROM pairs pr JOIN eff e ON e.review_id = pr.qa_review_id
)
SELECT k.review_id,
       k.qa_review_id,
       k.review_date,
       k.unit_id,
       u.unit_name,
       k.case_type,
       k.reviewer,
       k.qa_reviewer,
       k.item,
       coalesce(a.rating, 'not_applicable') AS first_rating,
       coalesce(b.rating, 'not_applicable') AS qa_rating
FROM keyed k
LEFT JOIN eff a ON a.review_id = k.review_id AND a.item = k.item
LEFT JOIN eff b ON b.review_id = k.qa_review_id AND b.item = k.item
LEFT JOIN units u ON u.unit_id = k.unit_id
