-- Episodes discharged before they began (rejected by the importer).
SELECT 'episodes' AS source_table, e.episode_id AS record_key, e.child_id, e.unit_id,
       e.removal_date AS event_date,
       'discharged ' || e.discharge_date::VARCHAR || ', before the removal date '
         || e.removal_date::VARCHAR AS detail
FROM episodes e
WHERE e.discharge_date < e.removal_date
