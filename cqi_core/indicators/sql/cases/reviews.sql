-- The reviews the case-level join checks: first reviews (qa_of_review_id empty; a
-- quality-assurance re-review would count the case twice) dated in [$start, $end], each
-- with its period under review. A review that gives no period_end is taken to cover up to
-- its review date; one that gives no period_start, the $default_months months up to its
-- period end (joint_pairs.yaml `default_period_months`). Loaded into a temporary table the
-- measure statements read.
CREATE OR REPLACE TEMP TABLE conjoint_reviews AS
WITH r AS (
    SELECT review_id, child_id, unit_id, case_type, review_date, period_start,
           COALESCE(period_end, review_date) AS pur_end
    FROM reviews
    WHERE qa_of_review_id IS NULL
      AND review_date BETWEEN $start AND $end
)
SELECT r.review_id, r.child_id, r.unit_id, u.unit_name, r.case_type, r.review_date,
       COALESCE(r.period_start,
                CAST(plus_months(r.pur_end, -CAST($default_months AS INTEGER)) + 1 AS DATE))
           AS pur_start,
       r.pur_end
FROM r
LEFT JOIN units u ON u.unit_id = r.unit_id
