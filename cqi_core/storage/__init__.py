"""Storage: the DuckDB file and what every layer above reads from it.

`store` (the file, its schema and migrations, one connection per process, a cursor per
query or thread, read-only mode), `contract` (the canonical export as data: tables, columns,
codes, keys), `facts` (the as-of date, the data version, units, status, import history) and
`edits` (staff edits kept as versions). Schema SQL lives in `sql/`, one `*_schema.sql` per
feature, run on every open.
"""
