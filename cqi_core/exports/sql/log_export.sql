-- Record one export.
INSERT INTO export_log (logged_at, user_name, role, what, format, rows, detail)
VALUES ($logged_at, $user_name, $role, $what, $format, $rows, $detail)
