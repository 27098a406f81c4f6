-- Where the children of a time-in-care cohort are at the end of each month since removal:
-- counts by month (1 to $months) and state, from the cohort rows in the temp table
-- tic_cohort (cohort.sql's columns episode_id, removal_date, exit_reason, month).
--
-- The end of month m is the day before removal_date + m months (plus_months). A stay that
-- ended (exit_reason set) in month m or earlier is 'left' with its exit reason; the yaml
-- sorts reasons into exit types. A stay still going on that day is 'in_care' in the setting
-- of the placement covering it: start_date <= day and (end_date NULL or end_date > day),
-- the latest start_date first and then the largest placement_id (the order P1 and P5 use);
-- 'no_placement' when no placement row covers the day. A censored stay is counted only in
-- the months it was watched whole (month <= its `month`), so each month's shares are of the
-- children whose state that day is known.
WITH months AS (
    SELECT CAST(range AS INTEGER) AS m FROM range(1, $months + 1)
),
points AS (
    SELECT k.episode_id, m.m AS month, k.exit_reason, k.month AS end_month,
           CAST(plus_months(k.removal_date, m.m) - 1 AS DATE) AS day
    FROM tic_cohort k
    CROSS JOIN months m
    WHERE k.exit_reason IS NOT NULL OR m.m <= k.month
),
placed AS (
    SELECT pt.episode_id, pt.month, p.setting
    FROM points pt
    JOIN placements p ON p.episode_id = pt.episode_id
                     AND p.start_date <= pt.day
                     AND (p.end_date IS NULL OR p.end_date > pt.day)
    WHERE NOT (pt.exit_reason IS NOT NULL AND pt.end_month <= pt.month)
    QUALIFY row_number() OVER (PARTITION BY pt.episode_id, pt.month
                               ORDER BY p.start_date DESC, p.placement_id DESC) = 1
)
SELECT pt.month,
       CASE WHEN pt.exit_reason IS NOT NULL AND pt.end_month <= pt.month THEN 'left'
            ELSE 'in_care' END AS state,
       CASE WHEN pt.exit_reason IS NOT NULL AND pt.end_month <= pt.month THEN pt.exit_reason
            ELSE coalesce(CAST(pl.setting AS VARCHAR), 'no_placement') END AS code,
       count(*)::BIGINT AS children
FROM points pt
LEFT JOIN placed pl ON pl.episode_id = pt.episode_id AND pl.month = pt.month
GROUP BY ALL
ORDER BY month, state, code
