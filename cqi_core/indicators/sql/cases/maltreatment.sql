-- Maltreatment in care of each reviewed child in its period under review (checked against
-- item 3). S1's rule, case by case: the parts of the child's episodes (not short stays)
-- inside the period, from greatest(removal_date, period start) to least(discharge_date,
-- the day after the period, the 18th birthday), half-open; victimizations are the child's
-- victimization dates (victimization_dates, _macros.sql: distinct victim report dates,
-- any perpetrator, a date one day after the child's previous victim report date not
-- counted again) inside a part and past that episode's short-stay window
-- (within_short_stay). One row per review whose child spent a day in care in the period:
-- value = victimizations, base = days in care in the period; favourable when
-- value <= $at_most.
WITH parts AS (
    SELECT cr.review_id, e.child_id, e.episode_id, e.removal_date,
           greatest(e.removal_date, cr.pur_start) AS part_start,
           least(e.discharge_date, CAST(cr.pur_end + 1 AS DATE), birthday18(c.birth_date))
               AS part_end
    FROM conjoint_reviews cr
    JOIN episodes e ON e.child_id = cr.child_id
    JOIN children c ON c.child_id = e.child_id
    WHERE NOT short_stay(e.removal_date, e.discharge_date)
),
kept AS (
    SELECT * FROM parts WHERE part_end > part_start
),
countable AS (
    SELECT child_id, report_date
    FROM victimization_dates()
    WHERE child_id IN (SELECT child_id FROM kept)
),
per_part AS (
    SELECT k.review_id, k.episode_id, k.part_end - k.part_start AS days,
           count(v.report_date) AS victimizations
    FROM kept k
    LEFT JOIN countable v ON v.child_id = k.child_id
                         AND v.report_date >= k.part_start
                         AND v.report_date < k.part_end
                         AND NOT within_short_stay(k.removal_date, v.report_date)
    GROUP BY k.review_id, k.episode_id, k.part_start, k.part_end
)
SELECT review_id,
       CAST(sum(victimizations) AS DOUBLE) AS value,
       CAST(sum(days) AS DOUBLE) AS base,
       sum(victimizations) <= $at_most AS favourable,
       CAST(NULL AS VARCHAR) AS detail
FROM per_part
GROUP BY review_id
