-- Quality-assurance reviews (qa_of_review_id set) whose first review is missing, is about
-- another child, or is itself a quality-assurance review.
SELECT 'reviews' AS source_table, q.review_id AS record_key, q.child_id, q.unit_id,
       q.review_date AS event_date,
       CASE WHEN p.review_id IS NULL
                THEN 'qa_of_review_id ' || q.qa_of_review_id || ' is not in the reviews table'
            WHEN p.qa_of_review_id IS NOT NULL
                THEN 'review ' || p.review_id || ' is itself a quality-assurance review'
            ELSE 'review ' || p.review_id || ' is about child ' || p.child_id || ', not '
                 || q.child_id END AS detail
FROM reviews q
LEFT JOIN reviews p ON p.review_id = q.qa_of_review_id
WHERE q.qa_of_review_id IS NOT NULL
  AND (p.review_id IS NULL OR p.qa_of_review_id IS NOT NULL OR p.child_id <> q.child_id)
