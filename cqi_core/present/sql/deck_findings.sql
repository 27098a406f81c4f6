-- One deck's findings in slide order (findings.load_deck).
SELECT indicator_id, view, group_by, group_value, period_start, period_end, takeaway, notes
FROM deck_findings
WHERE deck_id = $deck_id
ORDER BY position
