-- Placement moves of each reviewed child in its period under review (checked against item
-- 4). P5's counting rule, case by case: episodes that are not short stays (short_stay,
-- _macros.sql) and overlap the period; counted placements are those in settings other
-- than trial_home_visit and runaway, in start_date order (ties by placement_id); the first
-- of an episode is its initial placement, and every later one starting in the period (and
-- before the episode's discharge) is a move. One row per review whose child was in care in
-- the period: value = moves; favourable when moves <= $at_most.
WITH eps AS (
    SELECT cr.review_id, cr.pur_start, cr.pur_end, e.episode_id, e.discharge_date
    FROM conjoint_reviews cr
    JOIN episodes e ON e.child_id = cr.child_id
    WHERE NOT short_stay(e.removal_date, e.discharge_date)
      AND e.removal_date <= cr.pur_end
      AND (e.discharge_date IS NULL OR e.discharge_date > cr.pur_start)
),
counted AS (
    SELECT p.episode_id, p.start_date,
           row_number() OVER (PARTITION BY p.episode_id
                              ORDER BY p.start_date, p.placement_id) AS seq
    FROM placements p
    WHERE p.episode_id IN (SELECT episode_id FROM eps)
      AND p.setting NOT IN ('trial_home_visit', 'runaway')
),
per_review AS (
    SELECT e.review_id,
           count(c.episode_id) FILTER (WHERE c.seq > 1
                                         AND c.start_date BETWEEN e.pur_start AND e.pur_end
                                         AND (e.discharge_date IS NULL
                                              OR c.start_date < e.discharge_date))::BIGINT
               AS moves
    FROM eps e
    LEFT JOIN counted c ON c.episode_id = e.episode_id
    GROUP BY e.review_id
)
SELECT review_id,
       CAST(moves AS DOUBLE) AS value,
       CAST(NULL AS DOUBLE) AS base,
       moves <= $at_most AS favourable,
       CAST(NULL AS VARCHAR) AS detail
FROM per_review
