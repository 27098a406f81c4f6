-- Improvement cycles (plan-do-study-act; cqi_core/improvement.py). The product's own tables:
-- an import never touches them, so cycles survive re-imports and restarts. The current
-- state of each cycle is one row of improvement_cycles; every save (the first one included)
-- also appends the whole record to improvement_cycle_versions, so no edit is ever lost.
-- Cycles are never deleted: a cycle that will not go ahead is withdrawn, with a reason.
CREATE SEQUENCE IF NOT EXISTS improvement_cycle_ids START 1;
CREATE TABLE IF NOT EXISTS improvement_cycles (
    cycle_id      BIGINT    NOT NULL DEFAULT nextval('improvement_cycle_ids') PRIMARY KEY,
    version       INTEGER   NOT NULL,  -- 1 on creation, one more per saved edit
    title         VARCHAR   NOT NULL,
    aim           VARCHAR   NOT NULL,  -- what we want to improve, by how much, by when
    prediction    VARCHAR   NOT NULL,  -- what we expect to see (plan)
    change_idea   VARCHAR   NOT NULL,  -- what we will try
    indicators    VARCHAR[] NOT NULL,  -- catalog ids the cycle is studied on (P1, V1 ...)
    units         VARCHAR[] NOT NULL,  -- unit ids; empty = the whole agency
    start_date    DATE      NOT NULL,
    end_date      DATE,                -- null while open-ended
    plan          VARCHAR   NOT NULL,  -- who does what, when, and how it is measured
    study_notes   VARCHAR   NOT NULL,  -- what the team saw when it studied the results
    act_decision  VARCHAR,             -- adopt | adapt | abandon (null until decided)
    status        VARCHAR   NOT NULL,  -- planned | running | studying | done | withdrawn
    status_reason VARCHAR   NOT NULL,  -- why a cycle was withdrawn ('' otherwise)
    participants  VARCHAR   NOT NULL,  -- JSON list of {"name": ..., "role": ...}
    created_by    VARCHAR   NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_by    VARCHAR   NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS improvement_cycle_versions (
    cycle_id  BIGINT    NOT NULL,
    version   INTEGER   NOT NULL,
    saved_by  VARCHAR   NOT NULL,
    saved_at  TIMESTAMP NOT NULL,
    changed   VARCHAR[] NOT NULL,  -- the fields this save changed (every field on creation)
    record    VARCHAR   NOT NULL,  -- the whole cycle after the save, as JSON
    PRIMARY KEY (cycle_id, version)
);
