-- For each table: the files (by SHA-256), mapping and mode of the last landed batch that held it.
WITH last AS (
    SELECT f.table_name, max(b.batch_id) AS batch_id
    FROM import_files f JOIN import_batches b USING (batch_id)
    WHERE b.outcome = 'landed' AND f.table_name IS NOT NULL
    GROUP BY f.table_name
)
SELECT l.table_name, list_sort(list(f.sha256)) AS shas, any_value(b.mapping) AS mapping,
       any_value(b.mode) AS mode
FROM last l
JOIN import_files f ON f.batch_id = l.batch_id AND f.table_name = l.table_name
JOIN import_batches b ON b.batch_id = l.batch_id
GROUP BY l.table_name
