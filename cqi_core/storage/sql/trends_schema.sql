-- Notes on trend charts (cqi_core/trends.py): a dated note, a frozen baseline or a split
-- ("a new process from this date"), each with who recorded it and why. A note applies to
-- one indicator for one group, or to every chart when indicator_id is '*'. Rows are never
-- changed; a removed note keeps its row with removed_at set, so the record stays whole.
CREATE SEQUENCE IF NOT EXISTS chart_note_ids START 1;
CREATE TABLE IF NOT EXISTS chart_notes (
    note_id      BIGINT    NOT NULL DEFAULT nextval('chart_note_ids') PRIMARY KEY,
    indicator_id VARCHAR   NOT NULL,  -- output id (P1, Q1.4 ...) or '*' for every chart
    group_by     VARCHAR   NOT NULL,  -- all, unit or region ('*' for every group)
    group_value  VARCHAR   NOT NULL,
    note_date    DATE      NOT NULL,  -- the period the note marks (its first day)
    kind         VARCHAR   NOT NULL,  -- note | freeze | split
    text         VARCHAR   NOT NULL,  -- the note, or the reason for the freeze or split
    source       VARCHAR   NOT NULL DEFAULT 'note',  -- note (cycles' dates are read from improvement_cycles: 'cycle:<id>')
    saved_by     VARCHAR   NOT NULL,
    saved_at     TIMESTAMP NOT NULL,
    removed_by   VARCHAR,
    removed_at   TIMESTAMP
);
