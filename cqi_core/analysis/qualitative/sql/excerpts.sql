-- The agency's free text as excerpts, one row each, with the descriptors of its source.
--   case_review   one row per rating with a narrative (ratings.comment) of a first review
--                 (quality-assurance re-reviews are left out, as in the case review measures);
--                 source_id = review_id, item = the item, date = review_date, unit and
--                 region of the review, case_type, age_group of the child on the review date,
--                 source_group 'case_reviewer', rating = the rating code.
--   feedback      one row per feedback text; source_id = feedback_id, date = received_date,
--                 region = its own region column, else its unit's region (the rule of F1),
--                 source_group and channel as recorded, rating and score = the 1-5 rating.
--   staff_survey  one row per answer with a comment; source_id = response_id,
--                 date = survey_date, source_group 'staff', question, rating and score = the
--                 1-5 score.
-- excerpt_id = source_type:source_id:item ('' for no item). text_hash = SHA-256 of the text
-- after Unicode NFC, every run of whitespace made one space, and the ends trimmed (the same
-- as cqi_core.qualitative.sources.text_hash). Blank texts are not excerpts.
-- Age groups are those of INDICATORS.md (completed years on the review date), with '18+'
-- for young adults still reviewed.
-- Parameters: $start, $end (DATE or NULL, both days included), $types (source types),
-- $source_id (one source's excerpts, or NULL for all).
-- /*FIRST_REVIEWS*/ becomes the QA filter when the reviews table has qa_of_review_id.
WITH reviewed AS (
    SELECT 'case_review' AS source_type,
           rt.review_id AS source_id,
           rt.item AS item,
           rt.comment AS text,
           r.review_date AS date,
           r.unit_id,
           u.region,
           r.case_type,
           CASE WHEN c.birth_date IS NULL OR c.birth_date > r.review_date THEN NULL
                ELSE (year(r.review_date) - year(c.birth_date))
                     - CASE WHEN CAST(c.birth_date + to_years(CAST(year(r.review_date)
                                      - year(c.birth_date) AS INTEGER)) AS DATE) > r.review_date
                            THEN 1 ELSE 0 END
           END AS age,
           'case_reviewer' AS source_group,
           CAST(NULL AS VARCHAR) AS channel,
           rt.rating AS rating,
           CAST(NULL AS INTEGER) AS score,
           CAST(NULL AS VARCHAR) AS question,
           r.reviewer,
           r.child_id
    FROM ratings rt
    JOIN reviews r ON r.review_id = rt.review_id
    LEFT JOIN units u ON u.unit_id = r.unit_id
    LEFT JOIN children c ON c.child_id = r.child_id
    WHERE list_contains($types, 'case_review')
      AND rt.comment IS NOT NULL AND trim(rt.comment) <> ''
      AND ($start IS NULL OR r.review_date >= CAST($start AS DATE))
      AND ($end IS NULL OR r.review_date <= CAST($end AS DATE))
      AND ($source_id IS NULL OR rt.review_id = $source_id)
      /*FIRST_REVIEWS*/
),
heard AS (
    SELECT 'feedback' AS source_type,
           f.feedback_id AS source_id,
           CAST(NULL AS VARCHAR) AS item,
           f.text AS text,
           f.received_date AS date,
           f.unit_id,
           COALESCE(NULLIF(trim(f.region), ''), u.region) AS region,
           CAST(NULL AS VARCHAR) AS case_type,
           CAST(NULL AS INTEGER) AS age,
           f.source_group,
           f.channel,
           CAST(f.rating AS VARCHAR) AS rating,
           CAST(f.rating AS INTEGER) AS score,
           CAST(NULL AS VARCHAR) AS question,
           CAST(NULL AS VARCHAR) AS reviewer,
           CAST(NULL AS VARCHAR) AS child_id
    FROM feedback f
    LEFT JOIN units u ON u.unit_id = f.unit_id
    WHERE list_contains($types, 'feedback')
      AND f.text IS NOT NULL AND trim(f.text) <> ''
      AND ($start IS NULL OR f.received_date >= CAST($start AS DATE))
      AND ($end IS NULL OR f.received_date <= CAST($end AS DATE))
      AND ($source_id IS NULL OR f.feedback_id = $source_id)
),
surveyed AS (
    SELECT 'staff_survey' AS source_type,
           s.response_id AS source_id,
           CAST(NULL AS VARCHAR) AS item,
           s.comment AS text,
           s.survey_date AS date,
           s.unit_id,
           u.region,
           CAST(NULL AS VARCHAR) AS case_type,
           CAST(NULL AS INTEGER) AS age,
           'staff' AS source_group,
           CAST(NULL AS VARCHAR) AS channel,
           CAST(s.score AS VARCHAR) AS rating,
           CAST(s.score AS INTEGER) AS score,
           s.question,
           CAST(NULL AS VARCHAR) AS reviewer,
           CAST(NULL AS VARCHAR) AS child_id
    FROM staff_survey s
    LEFT JOIN units u ON u.unit_id = s.unit_id
    WHERE list_contains($types, 'staff_survey')
      AND s.comment IS NOT NULL AND trim(s.comment) <> ''
      AND ($start IS NULL OR s.survey_date >= CAST($start AS DATE))
      AND ($end IS NULL OR s.survey_date <= CAST($end AS DATE))
      AND ($source_id IS NULL OR s.response_id = $source_id)
),
texts AS (
    SELECT * FROM reviewed
    UNION ALL SELECT * FROM heard
    UNION ALL SELECT * FROM surveyed
)
SELECT source_type || ':' || source_id || ':' || coalesce(item, '') AS excerpt_id,
       source_type,
       source_id,
       item,
       text,
       sha256(trim(regexp_replace(nfc_normalize(text), '[ \t\n\r\f\v]+', ' ', 'g'))) AS text_hash,
       date,
       CAST(date_trunc('month', date) AS DATE) AS period_month,
       unit_id,
       region,
       case_type,
       CASE WHEN age IS NULL THEN NULL
            WHEN age < 1 THEN '<1'
            WHEN age <= 5 THEN '1-5'
            WHEN age <= 10 THEN '6-10'
            WHEN age <= 15 THEN '11-15'
            WHEN age <= 17 THEN '16-17'
            ELSE '18+'
       END AS age_group,
       source_group,
       channel,
       rating,
       score,
       question,
       reviewer,
       child_id
FROM texts
