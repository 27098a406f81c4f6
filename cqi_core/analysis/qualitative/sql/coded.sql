-- Coded excerpts: the theme suggestions (see suggest.sql) with the analysts' decisions laid
-- over them. A decision applies to the excerpt with the same source_type, source_id, item
-- and text hash, so it survives a re-import of the same text and stops applying when the
-- text changes; the latest decision per excerpt and code stands (the table's key).
--   suggested, no decision      → status 'suggested'
--   decision confirm            → 'confirmed' (also when the patterns no longer suggest it)
--   decision add                → 'added'
--   decision reject             → left out
-- Only themes in use count ($codes); $include_suggested false keeps human decisions only.
-- /*DECISIONS*/ is the coding_decisions table (or an empty stand-in on an older file).
WITH ex AS (
/*EXCERPTS*/
),
hits AS (
/*HITS*/
),
suggested AS (
    SELECT excerpt_id, hit.code AS code, hit.matched AS matched_text
    FROM hits
    WHERE hit.matched <> ''
),
decided AS (
    SELECT ex.excerpt_id, d.code, d.decision, d.decided_by, d.decided_at, d.note
    FROM /*DECISIONS*/ d
    JOIN ex ON ex.source_type = d.source_type
           AND ex.source_id = d.source_id
           AND coalesce(ex.item, '') = d.item
           AND ex.text_hash = d.text_hash
),
coded AS (
    SELECT coalesce(s.excerpt_id, d.excerpt_id) AS excerpt_id,
           coalesce(s.code, d.code) AS code,
           CASE d.decision
               WHEN 'confirm' THEN 'confirmed'
               WHEN 'add' THEN 'added'
               WHEN 'reject' THEN NULL
               ELSE 'suggested'
           END AS status,
           s.matched_text,
           d.decided_by,
           d.decided_at
    FROM suggested s
    FULL OUTER JOIN decided d ON d.excerpt_id = s.excerpt_id AND d.code = s.code
)
SELECT ex.excerpt_id, ex.source_id, ex.source_type, ex.item, coded.code, coded.status,
       coded.matched_text, coded.decided_by, coded.decided_at,
       ex.text, ex.text_hash, ex.date, ex.period_month, ex.unit_id, ex.region, ex.case_type,
       ex.age_group, ex.source_group, ex.channel, ex.rating, ex.score, ex.question,
       ex.reviewer, ex.child_id
FROM coded
JOIN ex ON ex.excerpt_id = coded.excerpt_id
WHERE coded.status IS NOT NULL
  AND list_contains($codes, coded.code)
  AND ($include_suggested OR coded.status <> 'suggested')
ORDER BY ex.date, ex.excerpt_id, coded.code
