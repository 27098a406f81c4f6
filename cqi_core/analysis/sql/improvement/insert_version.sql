-- Keep the whole cycle as saved, with who saved it, when, and which fields changed.
INSERT INTO improvement_cycle_versions (cycle_id, version, saved_by, saved_at, changed, record)
VALUES ($cycle_id, $version, $user, $at, $changed, $record)
