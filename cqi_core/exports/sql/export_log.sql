-- The export log, newest first; each filter applies only when its parameter is not NULL.
-- $end is a day: exports made on that day are included.
SELECT logged_at, user_name, role, what, format, rows, detail
FROM export_log
WHERE ($user_name::VARCHAR IS NULL OR user_name = $user_name)
  AND ($role::VARCHAR IS NULL OR role = $role)
  AND ($format::VARCHAR IS NULL OR format = $format)
  AND ($start::DATE IS NULL OR logged_at >= $start::DATE)
  AND ($end::DATE IS NULL OR logged_at < $end::DATE + INTERVAL 1 DAY)
ORDER BY logged_at DESC
