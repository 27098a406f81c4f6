-- Theme suggestions: for every excerpt (sql/excerpts.sql) and every theme in use with
-- patterns, a row when the theme's expression matches, with the first matching text.
-- One statement over all excerpts; ordered by excerpt_id, code.
WITH ex AS (
/*EXCERPTS*/
),
hits AS (
/*HITS*/
)
SELECT excerpt_id, source_type, source_id, text_hash, hit.code AS code,
       hit.matched AS matched_text
FROM hits
WHERE hit.matched <> ''
ORDER BY excerpt_id, code
