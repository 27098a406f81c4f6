"""Data quality: AFCARS-style checks on what was imported, and data-entry timeliness.

The importer rejects only what cannot be loaded; everything else that looks wrong is
flagged here, one SQL file per check (listed with its meaning in `checks.yaml`), by unit
and over time, with the failing records for analysts.
"""
