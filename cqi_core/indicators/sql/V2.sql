-- V2 Visits in the child's residence (quality; INDICATORS.md "Practice indicators").
-- One analysis row per visit dated in [$start, $end] to a child who is in care on the visit
-- date (an episode with removal_date <= visit_date and discharge_date NULL or > visit_date)
-- and under 18 on it (visit_date < birthday18). Numerator 1 when location = residence.
-- Age group on the visit date; unit = the unit of the episode in care on the visit date.
-- Choices where the rules leave one open:
-- * Every visit row counts, also two visits to one child on one day.
-- * Visits to children missing from `children` are left out (no birth date, no age test).
-- * Episodes do not overlap (the importer rejects overlaps), so one episode at most is in
--   care on a day; on a same-day re-entry day that is the new episode, because the old one
--   is half-open and no longer in care on its discharge day. Should overlaps ever exist, the
--   episode with the latest removal_date (then the largest episode_id) is taken.
WITH p AS (
    SELECT CAST($start AS DATE) AS p_start, CAST($end AS DATE) AS p_end
),
visit_episode AS (
    SELECT v.visit_id, v.visit_date, v.location, e.unit_id,
           c.birth_date, c.sex, c.race_ethnicity
    FROM visits v
    CROSS JOIN p
    JOIN children c ON c.child_id = v.child_id
    JOIN episodes e ON e.child_id = v.child_id AND e.removal_date <= v.visit_date
                   AND (e.discharge_date IS NULL OR e.discharge_date > v.visit_date)
    WHERE v.visit_date BETWEEN p.p_start AND p.p_end
      AND v.visit_date < birthday18(c.birth_date)
    QUALIFY row_number() OVER (PARTITION BY v.visit_id
                               ORDER BY e.removal_date DESC, e.episode_id DESC) = 1
)
SELECT 'V2' AS indicator_id,
       ve.unit_id,
       u.region,
       age_group(ve.birth_date, ve.visit_date) AS age_group,
       ve.sex,
       ve.race_ethnicity,
       CAST(NULL AS VARCHAR) AS source_group,
       CAST(CASE WHEN ve.location = 'residence' THEN 1 ELSE 0 END AS DOUBLE) AS numerator,
       CAST(1 AS DOUBLE) AS denominator
FROM visit_episode ve
LEFT JOIN units u ON u.unit_id = ve.unit_id
