-- Import batches, newest first, with the number of files in each.
SELECT b.batch_id, b.started_at, b.finished_at, b.mode, b.mapping, b.user_name, b.outcome,
       b.message, coalesce(f.files, 0)::BIGINT AS files, b.rows_read::BIGINT AS rows_read,
       b.rows_accepted::BIGINT AS rows_accepted, b.rows_rejected::BIGINT AS rows_rejected
FROM import_batches b
LEFT JOIN (SELECT batch_id, count(*) AS files FROM import_files GROUP BY batch_id) f
       ON f.batch_id = b.batch_id
ORDER BY b.started_at DESC, b.batch_id DESC
LIMIT $limit
