-- The store's own tables (version 1). Data tables are created from contract.yaml.
CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER NOT NULL,
    applied_at TIMESTAMP NOT NULL,
    note       VARCHAR
);
CREATE TABLE IF NOT EXISTS import_batches (
    batch_id      BIGINT PRIMARY KEY,
    started_at    TIMESTAMP NOT NULL,
    finished_at   TIMESTAMP,
    mode          VARCHAR NOT NULL,
    mapping       VARCHAR,
    user_name     VARCHAR,
    outcome       VARCHAR NOT NULL,   -- landed, refused, unchanged
    message       VARCHAR,
    rows_read     BIGINT,
    rows_accepted BIGINT,
    rows_rejected BIGINT
);
CREATE TABLE IF NOT EXISTS import_files (
    batch_id        BIGINT NOT NULL,
    file_name       VARCHAR NOT NULL,
    sha256          VARCHAR,
    table_name      VARCHAR,
    rows_read       BIGINT,
    rows_accepted   BIGINT,
    rows_rejected   BIGINT,
    ignored_columns VARCHAR,
    archived_as     VARCHAR
);
CREATE TABLE IF NOT EXISTS rejects (
    batch_id    BIGINT NOT NULL,
    table_name  VARCHAR NOT NULL,
    file_name   VARCHAR NOT NULL,
    row_number  BIGINT,
    column_name VARCHAR,
    value       VARCHAR,
    reason      VARCHAR NOT NULL,
    record      VARCHAR
);
CREATE TABLE IF NOT EXISTS settings (
    name  VARCHAR PRIMARY KEY,
    value VARCHAR
);
