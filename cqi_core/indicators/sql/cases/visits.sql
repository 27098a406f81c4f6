-- Caseworker visits to each reviewed child in its period under review (checked against
-- items 14 and 15). V1's child-months, case by case: every calendar month wholly inside
-- the period that one of the child's episodes covers on every day (removal_date on or
-- before the first day, discharge_date after the last), the child under 18 on its last
-- day; a month is met when the child has a visit dated in it (any place, any worker).
-- Unlike V1, two touching episodes (a same-day re-entry) are not joined, so a month
-- split by one is left out. One row per review with at least one such month:
-- value = months met, base = months; favourable when value >= $share × base.
WITH months AS (
    SELECT review_id, child_id, CAST(m AS DATE) AS m_start,
           CAST(last_day(CAST(m AS DATE)) AS DATE) AS m_end, pur_start, pur_end
    FROM (SELECT cr.review_id, cr.child_id, cr.pur_start, cr.pur_end,
                 unnest(generate_series(CAST(date_trunc('month', cr.pur_start) AS TIMESTAMP),
                                        CAST(cr.pur_end AS TIMESTAMP), INTERVAL 1 MONTH)) AS m
          FROM conjoint_reviews cr)
),
in_care AS (
    SELECT DISTINCT m.review_id, m.child_id, m.m_start
    FROM months m
    JOIN episodes e ON e.child_id = m.child_id
                   AND e.removal_date <= m.m_start
                   AND (e.discharge_date IS NULL OR e.discharge_date > m.m_end)
    JOIN children c ON c.child_id = m.child_id
    WHERE m.m_start >= m.pur_start AND m.m_end <= m.pur_end
      AND m.m_end < birthday18(c.birth_date)
),
visited AS (
    SELECT DISTINCT child_id, CAST(date_trunc('month', visit_date) AS DATE) AS m_start
    FROM visits
    WHERE child_id IN (SELECT child_id FROM conjoint_reviews)
)
SELECT i.review_id,
       CAST(count(v.child_id) AS DOUBLE) AS value,
       CAST(count(*) AS DOUBLE) AS base,
       count(v.child_id) >= $share * count(*) AS favourable,
       CAST(NULL AS VARCHAR) AS detail
FROM in_care i
LEFT JOIN visited v ON v.child_id = i.child_id AND v.m_start = i.m_start
GROUP BY i.review_id
