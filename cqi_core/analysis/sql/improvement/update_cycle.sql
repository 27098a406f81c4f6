-- Save an edited cycle as its next version (cqi_core/improvement.py update_cycle). The
-- version guard makes a save that raced another one change nothing.
UPDATE improvement_cycles
SET version = $version, title = $title, aim = $aim, prediction = $prediction,
    change_idea = $change_idea, indicators = $indicators, units = $units,
    start_date = $start_date, end_date = $end_date, plan = $plan, study_notes = $study_notes,
    act_decision = $act_decision, status = $status, status_reason = $status_reason,
    participants = $participants, updated_by = $user, updated_at = $at
WHERE cycle_id = $cycle_id AND version = $version - 1
RETURNING cycle_id
