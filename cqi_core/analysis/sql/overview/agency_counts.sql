-- Headline counts on the as-of date. Entries and exits: the 12 months ending on $as_of,
-- i.e. dates d with $as_of - 12 months < d <= $as_of.
SELECT
    (SELECT count(DISTINCT child_id) FROM episodes
      WHERE removal_date <= $as_of
        AND (discharge_date IS NULL OR discharge_date > $as_of))::BIGINT AS children_in_care,
    (SELECT count(*) FROM episodes
      WHERE removal_date > CAST($as_of - INTERVAL 12 MONTH AS DATE)
        AND removal_date <= $as_of)::BIGINT AS entries_12m,
    (SELECT count(*) FROM episodes
      WHERE discharge_date > CAST($as_of - INTERVAL 12 MONTH AS DATE)
        AND discharge_date <= $as_of)::BIGINT AS exits_12m,
    (SELECT count(*) FROM units)::BIGINT AS n_units,
    (SELECT count(DISTINCT region) FROM units)::BIGINT AS n_regions,
    (SELECT count(*) FROM workers
      WHERE role = 'caseworker' AND hire_date <= $as_of
        AND (separation_date IS NULL OR separation_date > $as_of))::BIGINT AS n_workers_active
