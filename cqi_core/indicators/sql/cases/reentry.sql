-- Re-entry of each reviewed child (checked against item 2). The child's entries into care
-- in the period under review: every episode with removal_date in it, short stays included,
-- as P4 counts a re-entry however long it lasts (the short-stay exclusion is for the exit
-- cohort only, INDICATORS.md P4). An entry is a re-entry when an earlier episode of the
-- child ended home (P4's exits, exit_home: reunification, relative or guardianship; not a
-- short stay) with discharge_date < removal_date < discharge_date + $months months. One
-- row per review whose child came into care in the period: favourable when none of those
-- entries is a re-entry; value = the fewest days home before a re-entry (null when none).
WITH entries AS (
    SELECT cr.review_id, e.child_id, e.episode_id, e.removal_date
    FROM conjoint_reviews cr
    JOIN episodes e ON e.child_id = cr.child_id
    WHERE e.removal_date BETWEEN cr.pur_start AND cr.pur_end
),
home AS (
    SELECT child_id, episode_id, discharge_date
    FROM episodes
    WHERE exit_home(discharge_reason)
      AND discharge_date IS NOT NULL
      AND NOT short_stay(removal_date, discharge_date)
      AND child_id IN (SELECT child_id FROM entries)
)
SELECT en.review_id,
       CAST(MIN(en.removal_date - h.discharge_date) AS DOUBLE) AS value,
       CAST(NULL AS DOUBLE) AS base,
       count(h.episode_id) = 0 AS favourable,
       CAST(NULL AS VARCHAR) AS detail
FROM entries en
LEFT JOIN home h ON h.child_id = en.child_id
                AND h.episode_id <> en.episode_id
                AND h.discharge_date < en.removal_date
                AND en.removal_date < plus_months(h.discharge_date, $months)
GROUP BY en.review_id
