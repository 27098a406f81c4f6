-- Notes that apply to one chart: its own and those recorded for every chart ('*').
SELECT note_id, indicator_id, group_by, group_value, note_date, kind, text, source,
       saved_by, saved_at
FROM chart_notes
WHERE removed_at IS NULL
  AND indicator_id IN ($indicator_id, '*')
  AND ((group_by = $group_by AND group_value = $group_value) OR group_by = '*')
ORDER BY note_date, note_id
