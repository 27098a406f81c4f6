-- One finding of a deck, at its slide position (findings.create_deck, update_deck).
INSERT INTO deck_findings (deck_id, position, indicator_id, view, group_by, group_value,
                           period_start, period_end, takeaway, notes)
VALUES ($deck_id, $position, $indicator_id, $view, $group_by, $group_value,
        $period_start, $period_end, $takeaway, $notes)
