-- Helpers every indicator statement may use. The runner creates them on its cursor
-- (temp macros live per connection) before running an indicator.

-- d + n calendar months (DuckDB clamps to the month's last day: 2024-02-29 + 12 → 2025-02-28).
CREATE OR REPLACE TEMP MACRO plus_months(d, n) AS CAST(d + to_months(CAST(n AS INTEGER)) AS DATE);

-- The 18th birthday: birth_date + 18 years (29 February → 28 February in a common year).
CREATE OR REPLACE TEMP MACRO birthday18(b) AS CAST(b + INTERVAL 18 YEAR AS DATE);

-- Completed years on d, consistent with the calendar arithmetic above: the largest k with
-- b + k years <= d, so a 29 February birthday counts on 28 February in a common year.
CREATE OR REPLACE TEMP MACRO age_years(b, d) AS
    (year(d) - year(b))
    - CASE WHEN CAST(b + to_years(CAST(year(d) - year(b) AS INTEGER)) AS DATE) > d THEN 1 ELSE 0 END;

-- Age groups of INDICATORS.md on an anchor date; NULL for 18 and over (or no birth date).
CREATE OR REPLACE TEMP MACRO age_group(b, d) AS
    CASE
        WHEN b IS NULL OR d IS NULL THEN NULL
        WHEN age_years(b, d) < 0 THEN NULL
        WHEN age_years(b, d) < 1 THEN '<1'
        WHEN age_years(b, d) <= 5 THEN '1-5'
        WHEN age_years(b, d) <= 10 THEN '6-10'
        WHEN age_years(b, d) <= 15 THEN '11-15'
        WHEN age_years(b, d) <= 17 THEN '16-17'
        ELSE NULL
    END;

-- Short stay (INDICATORS.md common terms): `discharge_date - removal_date < 8` days
-- (discharged within 7 days). This is the only place the rule is written: within_short_stay
-- says whether a date d falls inside that window after removal (S1 does not count a
-- victimization there), short_stay applies it to the discharge. An open episode (no
-- discharge) is never a short stay, so `NOT short_stay(...)` keeps it.
CREATE OR REPLACE TEMP MACRO within_short_stay(removal, d) AS d - removal < 8;

CREATE OR REPLACE TEMP MACRO short_stay(removal, discharge) AS
    discharge IS NOT NULL AND within_short_stay(removal, discharge);

-- Permanency exit (INDICATORS.md common terms).
CREATE OR REPLACE TEMP MACRO permanency_exit(reason) AS
    reason IN ('reunification', 'relative', 'adoption', 'guardianship');

-- Exit home, the exits of P4's exit cohort (INDICATORS.md P4): reunification, relative or
-- guardianship. Unlike permanency_exit, adoption is not one.
CREATE OR REPLACE TEMP MACRO exit_home(reason) AS
    reason IN ('reunification', 'relative', 'guardianship');

-- The last placement of each episode (INDICATORS.md, adjusted exit date): the latest
-- start_date, ties by the largest placement_id. One row per episode with a placement, for
-- the episodes of `episodes`, the name of a table or of the caller's CTE with an
-- episode_id column (`last_placement('cohort')`). Only those episodes' placements are
-- looked at: for a cohort of one period, every placement of a state-size agency would take
-- several times longer (P2 and P3 pass every episode instead, see in_care_permanency). The
-- latest is found by an aggregate over (start_date, placement_id), compared in that order
-- (arg_max_null keeps that placement's setting even if it were empty), not by sorting each
-- episode's placements: a series asks this once per month of its calendar.
CREATE OR REPLACE TEMP MACRO last_placement(episodes) AS TABLE
SELECT episode_id, arg_max_null(setting, (start_date, placement_id)) AS setting,
       max(start_date) AS start_date
FROM placements
WHERE episode_id IN (SELECT episode_id FROM query_table(episodes))
GROUP BY episode_id;

-- Victim report (INDICATORS.md common terms): disposition substantiated or indicated.
CREATE OR REPLACE TEMP MACRO victim_report(disposition) AS
    disposition IN ('substantiated', 'indicated');

-- The victim report dates that count as victimizations (S1 and the case-level
-- maltreatment measure): each child's distinct victim report dates, leaving out a date
-- whose previous victim report date for the same child is exactly one day earlier. The
-- previous date is taken over all the child's victim report dates (before any period,
-- outside care, in a short-stay window), so in a run of consecutive days only the first
-- counts. Callers keep the dates of their period and episodes.
CREATE OR REPLACE TEMP MACRO victimization_dates() AS TABLE
WITH victim_dates AS (
    SELECT child_id, report_date,
           lag(report_date) OVER (PARTITION BY child_id ORDER BY report_date) AS previous_date
    FROM (SELECT DISTINCT child_id, report_date
          FROM reports
          WHERE victim_report(disposition))
)
SELECT child_id, report_date
FROM victim_dates
WHERE previous_date IS NULL OR report_date - previous_date <> 1;

-- Adjusted exit date (trial home visits), used by P1-P3 for the 12-month test only: when
-- an episode ends in reunification and its last placement is a trial home visit that began
-- more than 30 days before discharge, the exit counts from thv_start + 30 days.
CREATE OR REPLACE TEMP MACRO adjusted_exit(reason, discharge, last_setting, last_start) AS
    CASE WHEN reason = 'reunification' AND last_setting = 'trial_home_visit'
              AND discharge - last_start > 30
         THEN CAST(last_start + 30 AS DATE)
         ELSE discharge
    END;

-- Effective item ratings of the reviews dated in [p_start, p_end]: every rating row as
-- given, except item 12, which is strength only when every applicable sub-item (12A-12C)
-- is strength. With no item-12 row it is derived from the sub-items (not applicable when
-- none is applicable, strength when every applicable one is strength, else area needing
-- improvement); a recorded item-12 strength gives way to an applicable sub-item rated area
-- needing improvement; any other recorded item-12 rating stands. with_qa: also the
-- quality-assurance reviews (rows with qa_of_review_id), which only reviewer agreement reads.
CREATE OR REPLACE TEMP MACRO effective_item_ratings(p_start, p_end, with_qa) AS TABLE
WITH rev AS (
    SELECT review_id, unit_id FROM reviews
    WHERE review_date BETWEEN CAST(p_start AS DATE) AND CAST(p_end AS DATE)
      AND (with_qa OR qa_of_review_id IS NULL)
),
given AS (
    SELECT rt.review_id, rev.unit_id, rt.item, rt.rating
    FROM ratings rt JOIN rev ON rev.review_id = rt.review_id
),
sub_12 AS (
    SELECT review_id, unit_id,
           count(*) FILTER (WHERE rating <> 'not_applicable') AS applicable,
           count(*) FILTER (WHERE rating = 'area_needing_improvement') AS weak
    FROM given WHERE item IN ('12A', '12B', '12C')
    GROUP BY review_id, unit_id
)
SELECT review_id, unit_id, item, rating FROM given WHERE item <> '12'
UNION ALL
SELECT COALESCE(g.review_id, s.review_id) AS review_id, COALESCE(g.unit_id, s.unit_id) AS unit_id,
       '12' AS item,
       CASE WHEN g.review_id IS NULL THEN
                CASE WHEN s.applicable = 0 THEN 'not_applicable'
                     WHEN s.weak = 0 THEN 'strength'
                     ELSE 'area_needing_improvement' END
            WHEN g.rating = 'strength' AND COALESCE(s.weak, 0) > 0 THEN 'area_needing_improvement'
            ELSE g.rating END AS rating
FROM (SELECT review_id, unit_id, rating FROM given WHERE item = '12') g
FULL OUTER JOIN sub_12 s ON s.review_id = g.review_id;

-- Q1 and Q2 count first reviews only: a quality-assurance second review of a case
-- (qa_of_review_id set) would count the case twice.
CREATE OR REPLACE TEMP MACRO review_item_ratings(p_start, p_end) AS TABLE
SELECT * FROM effective_item_ratings(p_start, p_end, false);

-- Outcome ratings (review_rollup.yaml, loaded into osri_items and osri_outcomes) of the
-- reviews dated in [p_start, p_end], one row per review × applicable outcome. From the
-- outcome's applicable items (strength or area needing improvement): all strength →
-- substantially achieved; none applicable → not applicable (no row); single-item outcome
-- otherwise → not achieved; other outcomes → at least one strength → partially achieved,
-- else not achieved. Q2 and the case review pages read it.
CREATE OR REPLACE TEMP MACRO review_outcome_ratings(p_start, p_end, with_qa) AS TABLE
WITH outcome_counts AS (
    SELECT ef.review_id, ef.unit_id, oi.outcome,
           count(*) FILTER (WHERE ef.rating IN ('strength', 'area_needing_improvement'))
               AS applicable,
           count(*) FILTER (WHERE ef.rating = 'strength') AS strengths
    FROM effective_item_ratings(p_start, p_end, with_qa) ef
    JOIN osri_items oi ON oi.item = ef.item
    GROUP BY ef.review_id, ef.unit_id, oi.outcome
)
SELECT oc.review_id, oc.unit_id, oc.outcome,
       CASE WHEN oc.strengths = oc.applicable THEN 'substantially_achieved'
            WHEN oo.single_item THEN 'not_achieved'
            WHEN oc.strengths > 0 THEN 'partially_achieved'
            ELSE 'not_achieved' END AS rating
FROM outcome_counts oc
JOIN osri_outcomes oo ON oo.outcome = oc.outcome
WHERE oc.applicable > 0;

-- P2 and P3 (permanency in 12 months for children already in care): one analysis row per
-- episode in care on p_start, child under 18 on it, with
-- removal_date + min_months <= p_start (< removal_date + max_months when max_months is set).
-- Numerator: permanency exit, adjusted exit date < p_start + 12 months, and discharge before
-- the 18th birthday. The last placement: last_placement above, asked of every episode: the
-- cohorts of a month-by-month series hold mostly the same long stays, so each episode's last
-- placement is found once for all the periods (a series of 49 months in a third of the time;
-- one period alone takes about 0.1 s longer).
CREATE OR REPLACE TEMP MACRO in_care_permanency(indicator, p_start, min_months, max_months) AS TABLE
WITH cohort AS (
    SELECT e.episode_id, e.removal_date, e.discharge_date, e.discharge_reason,
           e.unit_id, c.birth_date, c.sex, c.race_ethnicity
    FROM episodes e
    JOIN children c ON c.child_id = e.child_id
    WHERE e.removal_date <= CAST(p_start AS DATE)
      AND (e.discharge_date IS NULL OR e.discharge_date > CAST(p_start AS DATE))
      AND CAST(p_start AS DATE) < birthday18(c.birth_date)
      AND plus_months(e.removal_date, min_months) <= CAST(p_start AS DATE)
      AND (max_months IS NULL OR CAST(p_start AS DATE) < plus_months(e.removal_date, max_months))
)
SELECT
    CAST(indicator AS VARCHAR) AS indicator_id,
    CAST(k.unit_id AS VARCHAR) AS unit_id,
    CAST(u.region AS VARCHAR) AS region,
    CAST(age_group(k.birth_date, CAST(p_start AS DATE)) AS VARCHAR) AS age_group,
    CAST(k.sex AS VARCHAR) AS sex,
    CAST(k.race_ethnicity AS VARCHAR) AS race_ethnicity,
    CAST(NULL AS VARCHAR) AS source_group,
    CAST(CASE WHEN permanency_exit(k.discharge_reason)
                   AND adjusted_exit(k.discharge_reason, k.discharge_date, lp.setting, lp.start_date)
                       < plus_months(CAST(p_start AS DATE), 12)
                   AND k.discharge_date < birthday18(k.birth_date)
              THEN 1 ELSE 0 END AS DOUBLE) AS numerator,
    CAST(1 AS DOUBLE) AS denominator
FROM cohort k
LEFT JOIN last_placement('episodes') lp ON lp.episode_id = k.episode_id
LEFT JOIN units u ON u.unit_id = k.unit_id;
