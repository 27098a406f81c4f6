-- Children born after today. Unit: the unit of the child's latest episode.
WITH latest AS (
    SELECT child_id, arg_max(unit_id, removal_date) AS unit_id
    FROM episodes GROUP BY child_id
)
SELECT 'children' AS source_table, c.child_id AS record_key, c.child_id, l.unit_id,
       c.birth_date AS event_date,
       'birth date ' || c.birth_date::VARCHAR || ' is after today (' || $today::VARCHAR || ')' AS detail
FROM children c LEFT JOIN latest l ON l.child_id = c.child_id
WHERE c.birth_date > $today
