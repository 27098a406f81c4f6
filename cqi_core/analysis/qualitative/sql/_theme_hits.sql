-- Fragment: every excerpt of `ex` × every theme with patterns, with the first text the
-- theme's expression matched ('' when it did not). /*MATCHERS*/ is one struct per theme,
-- {'code': $code_N, 'matched': regexp_extract(match_text, $pattern_N)}, so each expression
-- is a bound constant that RE2 compiles once for the whole statement. A theme with phrases
-- to ignore matches, in the texts its patterns match at all, on
-- regexp_replace(match_text, $ignore_N, ' ', 'g') instead.
-- The agency's own unit and region names ($agency_names, one expression) are blanked out
-- before matching: "South Metro Kinship Services" names a unit, it says nothing about
-- services or kinship care.
-- Narratives of case review items rated not applicable say why the item does not apply, not
-- how the work went: they get suggestions only when $on_not_applicable is true.
SELECT excerpt_id, source_type, source_id, item, text_hash,
       unnest([/*MATCHERS*/]) AS hit
FROM (
    SELECT *, regexp_replace(text, $agency_names, ' ', 'g') AS match_text
    FROM ex
    WHERE $on_not_applicable
       OR source_type <> 'case_review'
       OR rating IS DISTINCT FROM 'not_applicable'
)
