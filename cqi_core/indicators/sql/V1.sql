-- V1 Monthly caseworker visits (completion; INDICATORS.md "Practice indicators").
-- One analysis row per child-month: each calendar month wholly inside [$start, $end] in which
-- the child was in care on every day and is under 18 on the month's last day
-- (last day < birthday18). Numerator 1 when the child has at least one visit (any location,
-- any worker) dated in that month. Age group on the first day of the month.
-- Choices where the rules leave one open:
-- * "In care on every day" is judged over all of the child's episodes together: episodes are
--   half-open [removal_date, discharge_date), so when one episode ends on day d and the next
--   starts on d (a same-day re-entry) the child is in care on every day and the month counts.
--   Touching episodes are merged into continuous spells before the month test.
-- * The unit of a child-month is the episode in care on the month's last day (with a same-day
--   re-entry inside the month that is the later episode: the unit responsible as the month
--   closes). Region is that unit's region.
-- * Episodes of children missing from `children` are left out: without a birth date the
--   under-18 test cannot be made.
WITH p AS (
    SELECT CAST($start AS DATE) AS p_start, CAST($end AS DATE) AS p_end
),
months AS (
    SELECT CAST(m AS DATE) AS m_start, CAST(last_day(CAST(m AS DATE)) AS DATE) AS m_end
    FROM p, generate_series(CAST(date_trunc('month', p.p_start) AS TIMESTAMP),
                            CAST(p.p_end AS TIMESTAMP), INTERVAL 1 MONTH) AS g(m)
    WHERE CAST(m AS DATE) >= p.p_start AND last_day(CAST(m AS DATE)) <= p.p_end
),
ep AS (
    -- empty episodes (discharged the day they started) cover no day. Every other episode
    -- is kept, whatever the period: a month of the period is covered by a spell exactly
    -- when the episodes that touch the month cover it, so the spells need not depend on the
    -- period, and a series of many periods merges each child's episodes once
    SELECT child_id, removal_date AS s, COALESCE(discharge_date, DATE '9999-12-31') AS e
    FROM episodes
    WHERE discharge_date IS NULL OR discharge_date > removal_date
),
marked AS (
    SELECT child_id, s, e,
           CASE WHEN s > MAX(e) OVER (PARTITION BY child_id ORDER BY s, e
                                      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                THEN 1 ELSE 0 END AS gap_before
    FROM ep
),
islands AS (
    SELECT child_id, s, e,
           SUM(gap_before) OVER (PARTITION BY child_id ORDER BY s, e
                                 ROWS UNBOUNDED PRECEDING) AS spell_no
    FROM marked
),
spells AS (
    SELECT child_id, MIN(s) AS spell_start, MAX(e) AS spell_end
    FROM islands GROUP BY child_id, spell_no
),
child_months AS (
    SELECT sp.child_id, m.m_start, m.m_end, c.birth_date, c.sex, c.race_ethnicity
    FROM spells sp
    JOIN months m ON sp.spell_start <= m.m_start AND sp.spell_end > m.m_end
    JOIN children c ON c.child_id = sp.child_id
    WHERE m.m_end < birthday18(c.birth_date)
),
month_unit AS (
    SELECT cm.child_id, cm.m_start, e.unit_id
    FROM child_months cm
    JOIN episodes e ON e.child_id = cm.child_id AND e.removal_date <= cm.m_end
                   AND (e.discharge_date IS NULL OR e.discharge_date > cm.m_end)
    QUALIFY row_number() OVER (PARTITION BY cm.child_id, cm.m_start
                               ORDER BY e.removal_date DESC, e.episode_id DESC) = 1
),
visited AS (
    SELECT DISTINCT v.child_id, CAST(date_trunc('month', v.visit_date) AS DATE) AS m_start
    FROM visits v, p
    WHERE v.visit_date BETWEEN p.p_start AND p.p_end
)
SELECT 'V1' AS indicator_id,
       mu.unit_id,
       u.region,
       age_group(cm.birth_date, cm.m_start) AS age_group,
       cm.sex,
       cm.race_ethnicity,
       CAST(NULL AS VARCHAR) AS source_group,
       CAST(CASE WHEN vi.child_id IS NULL THEN 0 ELSE 1 END AS DOUBLE) AS numerator,
       CAST(1 AS DOUBLE) AS denominator
FROM child_months cm
LEFT JOIN month_unit mu ON mu.child_id = cm.child_id AND mu.m_start = cm.m_start
LEFT JOIN units u ON u.unit_id = mu.unit_id
LEFT JOIN visited vi ON vi.child_id = cm.child_id AND vi.m_start = cm.m_start
