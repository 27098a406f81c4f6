-- A new improvement cycle, version 1 (cqi_core/improvement.py create_cycle).
INSERT INTO improvement_cycles (version, title, aim, prediction, change_idea, indicators, units,
                                start_date, end_date, plan, study_notes, act_decision, status,
                                status_reason, participants, created_by, created_at, updated_by,
                                updated_at)
VALUES (1, $title, $aim, $prediction, $change_idea, $indicators, $units, $start_date, $end_date,
        $plan, $study_notes, $act_decision, $status, $status_reason, $participants, $user, $at,
        $user, $at)
RETURNING cycle_id
