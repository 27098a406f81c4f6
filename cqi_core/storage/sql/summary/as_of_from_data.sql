-- The latest date present in the event tables (the default as-of date); NULL when empty.
SELECT greatest(
    (SELECT max(removal_date) FROM episodes),
    (SELECT max(discharge_date) FROM episodes),
    (SELECT max(start_date) FROM placements),
    (SELECT max(end_date) FROM placements),
    (SELECT max(report_date) FROM reports),
    (SELECT max(visit_date) FROM visits)) AS as_of
