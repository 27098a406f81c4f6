-- One row of the import log per batch (landed, refused or unchanged).
INSERT INTO import_batches (batch_id, started_at, finished_at, mode, mapping, user_name,
                            outcome, message, rows_read, rows_accepted, rows_rejected)
VALUES ($batch_id, $started_at, $finished_at, $mode, $mapping, $user_name,
        $outcome, $message, $rows_read, $rows_accepted, $rows_rejected)
