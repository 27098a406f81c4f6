-- The public publication (cqi_core/publish): every figure a public audience may see for one
-- data version, suppressed together, built once per import. Public pages, exports, decks,
-- the youth view and the command line's --audience stakeholder|youth read only from here.
CREATE TABLE IF NOT EXISTS publication_runs (
    data_version VARCHAR   NOT NULL,  -- storage.facts.content_version when it was built
    built_at     TIMESTAMP NOT NULL,
    period_ends  VARCHAR   NOT NULL,  -- the grid: comma-separated quarter ends (ISO dates)
    cells        BIGINT    NOT NULL,  -- count cells published or hidden
    masked       BIGINT    NOT NULL,  -- of which hidden
    seconds      DOUBLE    NOT NULL
);
CREATE TABLE IF NOT EXISTS publication_indicators (
    data_version      VARCHAR NOT NULL,
    indicator_id      VARCHAR NOT NULL,
    period_start      DATE    NOT NULL,
    period_end        DATE    NOT NULL,
    group_by          VARCHAR NOT NULL,
    group_value       VARCHAR NOT NULL,
    numerator         DOUBLE,
    denominator       DOUBLE,
    value             DOUBLE,
    ci_low            DOUBLE,
    ci_high           DOUBLE,
    followup_complete BOOLEAN,
    suppressed        BOOLEAN NOT NULL
);
CREATE TABLE IF NOT EXISTS publication_themes (
    data_version VARCHAR NOT NULL,
    code         VARCHAR NOT NULL,
    period_start DATE    NOT NULL,
    period_end   DATE    NOT NULL,
    group_by     VARCHAR NOT NULL,
    group_value  VARCHAR NOT NULL,
    excerpts     BIGINT,
    sources      BIGINT,
    suppressed   BOOLEAN NOT NULL
);
