-- Revoke the approvals of one field of one item: of one exact text ($text_hash), or of every
-- text it was approved with ($text_hash NULL).
UPDATE text_approvals
SET approved = false, decided_by = $user, decided_at = $at, reason = $reason
WHERE kind = $kind AND item = $item AND field = $field AND approved
  AND ($text_hash IS NULL OR text_hash = $text_hash)
