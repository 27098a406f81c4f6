-- Scratch table of one import batch: one row per staged file or workbook sheet.
CREATE TEMP TABLE _ingest_files (fno INTEGER, name VARCHAR, tbl VARCHAR, rows_read BIGINT)
