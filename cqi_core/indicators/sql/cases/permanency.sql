-- Time to permanency of each reviewed child (checked against items 5 and 6), judged at
-- the end of its period under review with P1's test. The episode: the child's latest one
-- (removal_date, then episode_id) that overlaps the period and is not a short stay.
-- Favourable: discharged by the end of the period to permanency (permanency_exit), with
-- the adjusted exit date (trial home visits, adjusted_exit; the episode's last_placement)
-- before removal + $months months, and before the 18th birthday. Unfavourable: discharged by the end of the period otherwise (another reason,
-- later, or at 18), or still in care when $months months had passed (removal + $months
-- months on or before the day after the period). Left open (null) for a child still in
-- care for less than that. value = days from removal to discharge, or to the day after
-- the period while in care; detail = the discharge reason, or in_care.
WITH ep AS (
    SELECT cr.review_id, cr.pur_start, cr.pur_end, e.episode_id, e.removal_date,
           e.discharge_date, e.discharge_reason, c.birth_date
    FROM conjoint_reviews cr
    JOIN episodes e ON e.child_id = cr.child_id
    JOIN children c ON c.child_id = cr.child_id
    WHERE NOT short_stay(e.removal_date, e.discharge_date)
      AND e.removal_date <= cr.pur_end
      AND (e.discharge_date IS NULL OR e.discharge_date > cr.pur_start)
    QUALIFY row_number() OVER (PARTITION BY cr.review_id
                               ORDER BY e.removal_date DESC, e.episode_id DESC) = 1
),
judged AS (
    SELECT ep.*,
           ep.discharge_date IS NOT NULL AND ep.discharge_date <= ep.pur_end AS left_care,
           adjusted_exit(ep.discharge_reason, ep.discharge_date, lp.setting, lp.start_date)
               AS exit_date,
           plus_months(ep.removal_date, $months) AS deadline
    FROM ep
    LEFT JOIN last_placement('ep') lp ON lp.episode_id = ep.episode_id
)
SELECT review_id,
       CAST(CASE WHEN left_care THEN discharge_date ELSE CAST(pur_end + 1 AS DATE) END
            - removal_date AS DOUBLE) AS value,
       CAST(NULL AS DOUBLE) AS base,
       CASE WHEN left_care THEN permanency_exit(discharge_reason)
                                AND exit_date < deadline
                                AND discharge_date < birthday18(birth_date)
            WHEN deadline <= CAST(pur_end + 1 AS DATE) THEN FALSE
            ELSE NULL END AS favourable,
       CASE WHEN left_care THEN COALESCE(discharge_reason, 'unknown') ELSE 'in_care' END
           AS detail
FROM judged
