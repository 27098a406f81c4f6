-- Every archived original of a landed batch, one row per archive name (its first batch).
SELECT min(f.batch_id) AS batch_id, arg_min(f.file_name, f.batch_id) AS file_name,
       f.archived_as, any_value(f.sha256) AS sha256
FROM import_files f JOIN import_batches b USING (batch_id)
WHERE b.outcome = 'landed' AND f.archived_as IS NOT NULL
GROUP BY f.archived_as
ORDER BY batch_id, file_name
