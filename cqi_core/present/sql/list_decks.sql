-- Saved decks, newest first, with how many findings each holds (findings.list_decks).
SELECT d.deck_id, d.name, count(f.position)::BIGINT AS findings, d.updated_by, d.updated_at
FROM decks d LEFT JOIN deck_findings f USING (deck_id)
GROUP BY d.deck_id, d.name, d.updated_by, d.updated_at
ORDER BY d.updated_at DESC, d.deck_id DESC
