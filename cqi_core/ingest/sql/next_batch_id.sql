-- The number of the next import batch.
SELECT coalesce(max(batch_id), 0) + 1 FROM import_batches
