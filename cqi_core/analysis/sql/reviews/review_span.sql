-- The first and last dates of the first reviews that carry ratings (NULL when there are
-- none); quality-assurance reviews are left out by the shared macro, as in Q1.
SELECT min(review_date) AS first_review, max(review_date) AS last_review
FROM reviews
WHERE review_id IN (SELECT review_id FROM review_item_ratings(DATE '1900-01-01', DATE '9999-12-31'))
