-- A new deck (findings.create_deck); its findings are written by insert_finding.
INSERT INTO decks (name, created_by, created_at, updated_by, updated_at)
VALUES ($name, $user, $at, $user, $at)
RETURNING deck_id
