"""Writing indicator results as text: CSV (with a header) and JSON.

Counts print as whole numbers; fractional denominators (W2's mean headcount) keep their
decimals; values and intervals print with full precision; missing values are empty (CSV)
or null (JSON); dates are ISO.
"""

from __future__ import annotations

import json
import math

import polars as pl


def _number(x):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    if isinstance(x, float) and x.is_integer():
        return int(x)
    return x


def records(frame: pl.DataFrame) -> list[dict]:
    """Rows as plain dicts with numbers tidied and dates as ISO strings."""
    out = []
    for r in frame.iter_rows(named=True):
        row = {}
        for k, v in r.items():
            if hasattr(v, "isoformat"):
                v = v.isoformat()
            elif k in ("numerator", "denominator"):
                v = _number(v)
            elif isinstance(v, float) and math.isnan(v):
                v = None
            row[k] = v
        out.append(row)
    return out


def to_csv(frame: pl.DataFrame) -> str:
    """CSV with a header row; booleans as true/false; missing as empty."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(frame.columns)
    for r in records(frame):
        w.writerow(["" if v is None else ("true" if v is True else "false" if v is False else v)
                    for v in r.values()])
    return buf.getvalue()


def to_json(frame: pl.DataFrame) -> str:
    """A JSON array of objects, one per row."""
    return json.dumps(records(frame), indent=1) + "\n"
