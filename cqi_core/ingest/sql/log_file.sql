-- One row per file (or workbook sheet) of a batch.
INSERT INTO import_files (batch_id, file_name, sha256, table_name, rows_read, rows_accepted,
                          rows_rejected, ignored_columns, archived_as)
VALUES ($batch_id, $file_name, $sha256, $table_name, $rows_read, $rows_accepted,
        $rows_rejected, $ignored_columns, $archived_as)
