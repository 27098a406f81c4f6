-- Record a chart note, a frozen baseline or a split (cqi_core/trends.py add_note).
INSERT INTO chart_notes (indicator_id, group_by, group_value, note_date, kind, text, source,
                         saved_by, saved_at)
VALUES ($indicator_id, $group_by, $group_value, $note_date, $kind, $text, $source, $user, $at)
RETURNING note_id
