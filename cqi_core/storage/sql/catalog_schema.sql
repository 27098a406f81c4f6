-- Saved edits to the indicator catalog (cqi_core/indicators/catalog.py) and to the agency's
-- values (cqi_core/mission.py). The YAML files in the repository are the base; every edit
-- made in the app is a new row here and is never changed or deleted, so the history of an
-- entry is the YAML history followed by its rows. Run on every open (IF NOT EXISTS), so a file
-- written before these tables existed gets them too.
CREATE TABLE IF NOT EXISTS catalog_edits (
    entry_id     VARCHAR   NOT NULL,  -- indicator output id: P1, Q1.12A, Q2.WB1 ...
    version      INTEGER   NOT NULL,  -- the entry's version after this edit
    base_version INTEGER   NOT NULL,  -- the version the edit was made on
    saved_at     TIMESTAMP NOT NULL,
    saved_by     VARCHAR   NOT NULL,
    why          VARCHAR   NOT NULL,
    changes      VARCHAR   NOT NULL,  -- JSON object: field -> new value (only fields that changed)
    previous     VARCHAR   NOT NULL,  -- JSON object: field -> value before the edit
    PRIMARY KEY (entry_id, version)
);
CREATE TABLE IF NOT EXISTS value_edits (
    entry_id     VARCHAR   NOT NULL,  -- value id from values.yaml: safety, equity ...
    version      INTEGER   NOT NULL,
    base_version INTEGER   NOT NULL,
    saved_at     TIMESTAMP NOT NULL,
    saved_by     VARCHAR   NOT NULL,
    why          VARCHAR   NOT NULL,
    changes      VARCHAR   NOT NULL,
    previous     VARCHAR   NOT NULL,
    PRIMARY KEY (entry_id, version)
);
