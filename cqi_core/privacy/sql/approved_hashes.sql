-- The texts of one item approved now, by field: field, text_hash, decided_by, decided_at, reason.
SELECT field, text_hash, decided_by, decided_at, reason
FROM text_approvals
WHERE kind = $kind AND item = $item AND approved
ORDER BY field, decided_at
