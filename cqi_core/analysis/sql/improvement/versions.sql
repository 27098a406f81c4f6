-- Every saved version of one cycle, oldest first.
SELECT version, saved_by, saved_at, changed, record
FROM improvement_cycle_versions
WHERE cycle_id = $cycle_id
ORDER BY version
