-- Scratch table of one import batch: every accepted spelling (normalised) of every code or
-- review item of the tables in the batch: contract aliases plus the mapping profile.
CREATE TEMP TABLE _ingest_codes (tbl VARCHAR, col VARCHAR, alias VARCHAR, code VARCHAR)
