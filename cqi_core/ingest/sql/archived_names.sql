-- Archive names of the original files of landed batches.
SELECT DISTINCT f.archived_as
FROM import_files f JOIN import_batches b USING (batch_id)
WHERE b.outcome = 'landed' AND f.archived_as IS NOT NULL
