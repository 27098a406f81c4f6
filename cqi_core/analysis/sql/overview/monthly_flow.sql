-- Children entering and leaving care per calendar month, and children in care on the
-- last day of each month, for the months that end on or before $as_of, from $start.
-- Episodes are half-open [removal_date, discharge_date): in care on d when
-- removal_date <= d and (discharge_date IS NULL or discharge_date > d).
WITH months AS (
    SELECT CAST(m AS DATE) AS month_start,
           CAST(m + INTERVAL 1 MONTH - INTERVAL 1 DAY AS DATE) AS month_end
    FROM range(CAST(date_trunc('month', CAST($start AS DATE)) AS TIMESTAMP),
               CAST(date_trunc('month', CAST($as_of AS DATE)) AS TIMESTAMP) + INTERVAL 1 MONTH,
               INTERVAL 1 MONTH) AS r(m)
)
SELECT
    m.month_start AS month,
    (SELECT count(*) FROM episodes e
      WHERE e.removal_date BETWEEN m.month_start AND m.month_end)::BIGINT AS entries,
    (SELECT count(*) FROM episodes e
      WHERE e.discharge_date BETWEEN m.month_start AND m.month_end)::BIGINT AS exits,
    (SELECT count(DISTINCT e.child_id) FROM episodes e
      WHERE e.removal_date <= least(m.month_end, CAST($as_of AS DATE))
        AND (e.discharge_date IS NULL
             OR e.discharge_date > least(m.month_end, CAST($as_of AS DATE))))::BIGINT AS in_care_at_end
FROM months m
ORDER BY month
