-- Units with their regions, for filters and labels.
SELECT unit_id, unit_name, region FROM units ORDER BY region, unit_name, unit_id
