-- Notes that apply to one chart: its own, those recorded for every chart ('*'), and the start
-- and end of every improvement cycle studied on the chart's measure (improvement_schema.sql)
-- in the chart's unit, or in the whole agency (a cycle without units shows on every chart
-- of its measures). Cycle notes are read from the cycles themselves, so an edited date moves
-- its note; they have the kind 'cycle' (drawn like a dated note, never a freeze or a split,
-- and not removable as a note: a cycle is edited or withdrawn on its own page), negative ids
-- (-2·cycle for the start, -2·cycle - 1 for the end), which no stored note has, and the
-- source 'cycle:<id>'. Withdrawn cycles are left out.
WITH cycles AS (
    SELECT cycle_id, title, start_date, end_date, updated_by, updated_at
    FROM improvement_cycles
    WHERE status <> 'withdrawn'
      AND list_contains(indicators, $indicator_id)
      AND (len(units) = 0 OR ($group_by = 'unit' AND list_contains(units, $group_value)))
)
SELECT * FROM (
    SELECT note_id, indicator_id, group_by, group_value, note_date, kind, text, source,
           saved_by, saved_at
    FROM chart_notes
    WHERE removed_at IS NULL
      AND indicator_id IN ($indicator_id, '*')
      AND ((group_by = $group_by AND group_value = $group_value) OR group_by = '*')
    UNION ALL
    SELECT -2 * cycle_id, $indicator_id, $group_by, $group_value, start_date, 'cycle',
           'Cycle ' || cycle_id || ' began: ' || title, 'cycle:' || cycle_id,
           updated_by, updated_at
    FROM cycles
    UNION ALL
    SELECT -2 * cycle_id - 1, $indicator_id, $group_by, $group_value, end_date, 'cycle',
           'Cycle ' || cycle_id || ' ended: ' || title, 'cycle:' || cycle_id,
           updated_by, updated_at
    FROM cycles
    WHERE end_date IS NOT NULL
)
ORDER BY note_date, note_id
