-- Rejected rows with their reasons, for one batch or all ($batch_id NULL).
SELECT batch_id, table_name, file_name, row_number, column_name, value, reason, record
FROM rejects
WHERE $batch_id IS NULL OR batch_id = $batch_id
ORDER BY batch_id DESC, table_name, file_name, row_number NULLS LAST
