-- Approve (or revoke, approved = false) one exact text of one field of one item.
INSERT OR REPLACE INTO text_approvals
    (kind, item, field, text_hash, approved, decided_by, decided_at, reason)
VALUES ($kind, $item, $field, $text_hash, $approved, $user, $at, $reason)
