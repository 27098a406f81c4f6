-- Every improvement cycle as it stands now, newest start first.
SELECT cycle_id, version, title, aim, prediction, change_idea, indicators, units, start_date,
       end_date, plan, study_notes, act_decision, status, status_reason, participants,
       created_by, created_at, updated_by, updated_at
FROM improvement_cycles
ORDER BY start_date DESC, cycle_id DESC
