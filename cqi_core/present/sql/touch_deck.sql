-- A deck's name and who saved it last (findings.update_deck).
UPDATE decks SET name = $name, updated_by = $user, updated_at = $at
WHERE deck_id = $deck_id
