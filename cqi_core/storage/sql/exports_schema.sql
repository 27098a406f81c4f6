-- The export log (cqi_core/exports.py): one row per file downloaded from the dashboard
-- (tables, charts, documents), with who, as which audience, what and when. Rows are only
-- ever added; analysts read them on the Export log page.
CREATE TABLE IF NOT EXISTS export_log (
    logged_at TIMESTAMP NOT NULL,   -- when the file was built (the moment of the click)
    user_name VARCHAR   NOT NULL,   -- the viewer's name ('demo' without sign-in, 'public' when pinned)
    role      VARCHAR   NOT NULL,   -- analyst | supervisor | stakeholder | youth
    what      VARCHAR   NOT NULL,   -- what was exported, in words
    format    VARCHAR   NOT NULL,   -- csv | xlsx | png | svg | md | qdc | html ...
    rows      BIGINT,               -- data rows in the file (NULL for charts and documents)
    detail    VARCHAR   NOT NULL DEFAULT ''  -- sheets, columns left out, chart title
);
