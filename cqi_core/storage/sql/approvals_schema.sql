-- Analysts' approvals of staff-written text for public audiences (cqi_core/privacy/approvals.py):
-- an improvement cycle's title, aim, change idea ..., a deck's takeaways and speaker notes.
-- One row per exact text decided on: the text itself is not kept, only its SHA-256, so an
-- approval holds for that text and lapses by itself when the text changes. Revoking keeps the
-- row with approved = false and who revoked it, so every decision stays on record.
CREATE TABLE IF NOT EXISTS text_approvals (
    kind       VARCHAR   NOT NULL,  -- cycle | deck
    item       VARCHAR   NOT NULL,  -- the cycle's or the deck's number, as text
    field      VARCHAR   NOT NULL,  -- title, aim ... | takeaway, notes
    text_hash  VARCHAR   NOT NULL,  -- SHA-256 (hex) of the exact text decided on
    approved   BOOLEAN   NOT NULL,  -- false once revoked
    decided_by VARCHAR   NOT NULL,
    decided_at TIMESTAMP NOT NULL,
    reason     VARCHAR   NOT NULL DEFAULT '',  -- why (optional)
    PRIMARY KEY (kind, item, field, text_hash)
);
