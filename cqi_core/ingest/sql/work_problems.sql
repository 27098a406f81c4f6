-- Scratch table of one import batch: one row per problem found in a staged row
-- (_ord = file number * 10^10 + row number identifies the row).
CREATE TEMP TABLE _ingest_problems (tbl VARCHAR, _ord BIGINT, _fno INTEGER, _row BIGINT,
                                    col VARCHAR, val VARCHAR, reason VARCHAR)
