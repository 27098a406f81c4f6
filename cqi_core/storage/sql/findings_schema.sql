-- Decks for presentation mode and meeting packs (cqi_core/findings.py): a deck is a named,
-- ordered list of findings, each one chart with its takeaway and speaker notes. Kept apart
-- from the data tables, so decks survive re-imports. Run on every open (IF NOT EXISTS), so a
-- file written before decks existed gains these tables.
CREATE SEQUENCE IF NOT EXISTS deck_ids START 1;
CREATE TABLE IF NOT EXISTS decks (
    deck_id    BIGINT    NOT NULL DEFAULT nextval('deck_ids') PRIMARY KEY,
    name       VARCHAR   NOT NULL,
    created_by VARCHAR   NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_by VARCHAR   NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- One row per finding; a deck's findings are replaced together when it is saved, so
-- `position` runs 1, 2, 3 ... without gaps.
CREATE TABLE IF NOT EXISTS deck_findings (
    deck_id      BIGINT  NOT NULL,
    position     INTEGER NOT NULL,  -- 1 = first slide
    indicator_id VARCHAR NOT NULL,  -- output id: P1, V2, Q1.4 ...
    view         VARCHAR NOT NULL,  -- trend | breakdown
    group_by     VARCHAR NOT NULL,  -- trend: all | region; breakdown: region | age_group | sex | race_ethnicity
    group_value  VARCHAR NOT NULL,  -- trend of a region: the region; otherwise 'all'
    period_start DATE,              -- NULL (with period_end NULL): the latest complete period
    period_end   DATE,
    takeaway     VARCHAR NOT NULL DEFAULT '',  -- '' = written from the figures when shown
    notes        VARCHAR NOT NULL DEFAULT ''   -- speaker notes
);
