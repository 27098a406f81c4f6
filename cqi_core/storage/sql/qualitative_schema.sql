-- The qualitative work kept in the database (cqi_core/qualitative): changes to the codebook,
-- analysts' coding decisions and approvals of excerpts for sharing. Run on every open (IF NOT
-- EXISTS), so a file written before these tables existed gets them too.
--
-- An excerpt is named by its source, never by a row position: (source_type, source_id, item)
-- plus the SHA-256 of its normalised text. A decision or an approval therefore survives a
-- re-import of the same text and stops applying when the text changes.

-- Every change to the codebook is a new row, never changed or deleted. The codebook in force
-- is codebook.yaml with these rows laid over it in order; its version is the YAML's version
-- plus the number of rows. `theme` holds the whole theme after the change (NULL when it was
-- retired), `previous` the theme before it (NULL when it was added).
CREATE TABLE IF NOT EXISTS codebook_changes (
    seq       INTEGER   NOT NULL PRIMARY KEY,  -- 1, 2, 3 ... in the order the changes were saved
    code      VARCHAR   NOT NULL,              -- the theme's snake_case code
    action    VARCHAR   NOT NULL,              -- add | edit | retire
    saved_at  TIMESTAMP NOT NULL,
    saved_by  VARCHAR   NOT NULL,
    why       VARCHAR   NOT NULL,
    theme     VARCHAR,                         -- JSON object of the theme after the change
    previous  VARCHAR                          -- JSON object of the theme before the change
);

-- An analyst's decision about one theme on one excerpt: confirm a suggestion, reject it, or
-- add a theme the patterns did not suggest. The latest decision for a key stands.
CREATE TABLE IF NOT EXISTS coding_decisions (
    source_type VARCHAR   NOT NULL,  -- case_review | feedback | staff_survey
    source_id   VARCHAR   NOT NULL,  -- review_id | feedback_id | response_id
    item        VARCHAR   NOT NULL,  -- case review item ('4', '12A'); '' for other sources
    text_hash   VARCHAR   NOT NULL,  -- SHA-256 hex of the normalised text decided on
    code        VARCHAR   NOT NULL,
    decision    VARCHAR   NOT NULL,  -- confirm | reject | add
    decided_by  VARCHAR   NOT NULL,
    decided_at  TIMESTAMP NOT NULL,
    note        VARCHAR   NOT NULL DEFAULT '',
    PRIMARY KEY (source_type, source_id, item, text_hash, code)
);

-- Whether an excerpt may be shown to public audiences (stakeholder, youth), redacted. Only
-- an approval for the very text shown counts; the latest decision for a key stands.
CREATE TABLE IF NOT EXISTS sharing_approvals (
    source_type VARCHAR   NOT NULL,
    source_id   VARCHAR   NOT NULL,
    item        VARCHAR   NOT NULL,  -- '' for sources without items
    text_hash   VARCHAR   NOT NULL,
    approved    BOOLEAN   NOT NULL,
    decided_by  VARCHAR   NOT NULL,
    decided_at  TIMESTAMP NOT NULL,
    note        VARCHAR   NOT NULL DEFAULT '',
    PRIMARY KEY (source_type, source_id, item, text_hash)
);
