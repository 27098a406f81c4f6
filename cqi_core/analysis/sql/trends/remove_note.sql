-- Mark a chart note removed; the row stays with who removed it and when.
UPDATE chart_notes SET removed_by = $user, removed_at = $at
WHERE note_id = $note_id AND removed_at IS NULL
