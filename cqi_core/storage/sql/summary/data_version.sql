-- A key that changes whenever an import lands or a catalog or value edit is saved.
SELECT coalesce((SELECT max(batch_id) FROM import_batches WHERE outcome = 'landed'), 0)::BIGINT,
       (SELECT count(*) FROM catalog_edits)::BIGINT,
       (SELECT count(*) FROM value_edits)::BIGINT
