"""Reviews and data, case by case: each reviewed case beside its own administrative records.

A case review rates practice on one child's case; the MIS records the same child's moves,
visits, time to permanency, re-entry, maltreatment in care and the start of investigations.
Here every first review (never a quality-assurance re-review) is joined to the child's
records in the review's period under review, one SQL statement per measure
(`indicators/sql/cases/*.sql`) on the indicators' shared macros, so the rules are the
indicators' rules read case by case. `joint_pairs.yaml` says which measure each item is checked against
and when a measure's result is favourable.

Then, per item: the agreement table (strength / area needing improvement × favourable /
unfavourable), the share rated a strength when the data are favourable and when they are
not, with Wilson intervals, percent agreement and Cohen's kappa; and the cases where the
review and the data disagree, which are what an analyst reads next (a recording gap, a
rating guide read differently, or a measure that misses what the reviewer saw).

Everything here is case level: each function that reads the store calls
`privacy.require_case_access` and keeps only the units whose cases the viewer may see.
"""

from __future__ import annotations

import math
import re
from datetime import date

import numpy as np
import polars as pl

from cqi_core import privacy
from cqi_core.analysis import qualitative
from cqi_core.indicators.engine import SQL_DIR as INDICATOR_SQL
from cqi_core.indicators.engine import load_config, prepare_cursor
from cqi_core.indicators.intervals import wilson
from cqi_core.analysis.joint_pairs import MEASURES, JointSettings, load_joint_settings
from cqi_core.analysis.reviews import ITEMS, RATING_WORDS, rated_items
from cqi_core.storage.store import Store
from cqi_core.storage.statements import statement

SQL_DIR = INDICATOR_SQL / "cases"
EVER = (date(1900, 1, 1), date(9999, 12, 31))
DATA_WORDS = {"favourable": "Favourable", "unfavourable": "Unfavourable"}
_ITEM_ORDER = {item: k for k, item in enumerate(ITEMS)}
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_REASON_WORDS = {"reunification": "reunification", "relative": "living with a relative",
                 "adoption": "adoption", "guardianship": "guardianship",
                 "emancipation": "emancipation", "transfer": "transfer to another agency",
                 "runaway": "running away", "death": "death", "unknown": "a reason not recorded"}


def _sql(name: str) -> str:
    return statement(SQL_DIR, name)


def _bind(sql: str, values: dict) -> dict:
    """The parameters a statement names (DuckDB refuses extra ones)."""
    text = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
    return {k: values[k] for k in set(_PARAM.findall(text))}


def _measure_params(settings: JointSettings) -> dict:
    m = settings.measures
    t1 = load_config()["T1"].params or {}
    return {"moves": {"at_most": m["moves"].favourable_at_most},
            "visits": {"share": m["visits"].favourable_share_at_least},
            "permanency": {"months": m["permanency"].months},
            "investigation": {"share": m["investigation"].favourable_share_at_least, **t1},
            "reentry": {"months": m["reentry"].months},
            "maltreatment": {"at_most": m["maltreatment"].favourable_at_most}}


def case_measures(store: Store | privacy.Handle, start: date | None = None, end: date | None = None,
                  settings: JointSettings | None = None) -> pl.DataFrame:
    """Every first review dated in [start, end] with its child's records in the period under
    review, one row per review.

    Args:
        store: the database, or a handle whose viewer must be allowed case-level rows.
        start, end: review dates, both included (None: open).
        settings: joint_pairs.yaml (loaded when None).

    Returns:
        review_id, child_id, unit_id, unit_name, case_type, review_date, period_start,
        period_end, then for each measure m of `joint_pairs.MEASURES`: m_value, m_base,
        m_favourable, m_detail (all null when the measure does not apply to the case;
        m_favourable null when it applies but cannot be judged yet). Oldest review first.
        Only the units whose cases the viewer may see.

    Raises:
        AccessDenied: a public viewer.
    """
    viewer = privacy.viewer_of(store)
    privacy.require_case_access(viewer)
    settings = settings or load_joint_settings()
    start, end = start or EVER[0], end or EVER[1]
    params = _measure_params(settings)
    cur = privacy.full(store).cursor()
    try:
        # The case statements are written on the indicators' macros (_macros.sql: short_stay,
        # last_placement, victimization_dates ...), so the rules are the indicators' own.
        prepare_cursor(cur)
        base_sql = _sql("reviews")
        cur.execute(base_sql, _bind(base_sql, {
            "start": start, "end": end, "default_months": settings.default_period_months}))
        out = cur.sql("SELECT review_id, child_id, unit_id, unit_name, case_type, review_date, "
                      "pur_start AS period_start, pur_end AS period_end FROM conjoint_reviews "
                      "ORDER BY review_date, review_id").pl()
        for m in MEASURES:
            sql = _sql(m)
            got = cur.sql(sql, params=_bind(sql, params[m]) or None).pl()
            got = got.select("review_id", pl.col("value").cast(pl.Float64).alias(f"{m}_value"),
                             pl.col("base").cast(pl.Float64).alias(f"{m}_base"),
                             pl.col("favourable").cast(pl.Boolean).alias(f"{m}_favourable"),
                             pl.col("detail").cast(pl.String).alias(f"{m}_detail"))
            out = out.join(got, on="review_id", how="left", maintain_order="left")
        cur.execute("DROP TABLE IF EXISTS conjoint_reviews")
    finally:
        cur.close()
    units = privacy.case_units(viewer)
    if units is not None:
        out = out.filter(pl.col("unit_id").is_in(list(units)))
    return out


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def data_text(measure: str, value: float | None, base: float | None,
              favourable: bool | None, detail: str | None) -> str | None:
    """One case's result on a measure, in words ("2 moves in the period"); None when the
    measure does not apply to the case."""
    if value is None and base is None and favourable is None and detail is None:
        return None
    v = 0 if value is None or math.isnan(value) else int(round(value))
    b = 0 if base is None or math.isnan(base) else int(round(base))
    if measure == "moves":
        return "no placement move in the period" if v == 0 else _plural(v, "placement move", "placement moves") + " in the period"
    if measure == "visits":
        return f"visited in {v} of {_plural(b, 'whole month', 'whole months')} in care"
    if measure == "investigation":
        return f"{v} of {_plural(b, 'report', 'reports')} started within the response window"
    if measure == "maltreatment":
        return ("no victimization in care" if v == 0 else _plural(v, "victimization", "victimizations")
                + " in care") + f" ({_plural(b, 'day', 'days')} in care in the period)"
    if measure == "reentry":
        return ("came into care; not within 12 months of going home" if value is None
                else f"came back into care {_plural(v, 'day', 'days')} after going home")
    if measure == "permanency":
        months = v / 30.44
        if detail == "in_care":
            return (f"in care {months:.0f} months at the end of the period, no permanency yet"
                    + ("; too soon to judge" if favourable is None else ""))
        return f"left care after {months:.0f} months: {_REASON_WORDS.get(detail or 'unknown', detail)}"
    raise ValueError(f"unknown measure {measure!r}")


def item_comparison(store: Store | privacy.Handle, start: date | None = None, end: date | None = None,
                    settings: JointSettings | None = None) -> pl.DataFrame:
    """Each paired item's rating beside what the records say, one row per first review ×
    paired item with a rating row (item 12 as in Q1).

    Returns:
        review_id, child_id, unit_id, unit_name, case_type, review_date, period_start,
        period_end, item, pair_id, measure, rating, data ("favourable", "unfavourable" or
        null), value, base, data_text, compared (a strength or area needing improvement
        rating and a judged measure), agree (null when not compared); in instrument order,
        then by review date.

    Raises:
        AccessDenied: a public viewer.
    """
    settings = settings or load_joint_settings()
    cases = case_measures(store, start, end, settings)
    ratings = rated_items(privacy.full(store), start, end).filter(pl.col("item").is_in(list(settings.items)))
    rows = []
    by_review = {r["review_id"]: r for r in cases.iter_rows(named=True)}
    for rid, item, rating in ratings.select("review_id", "item", "rating").iter_rows():
        case = by_review.get(rid)
        if case is None:   # a unit the viewer may not list
            continue
        pair = settings.pair_of_item(item)
        m = pair.measure
        fav = case[f"{m}_favourable"]
        data = None if fav is None else ("favourable" if fav else "unfavourable")
        compared = data is not None and rating in ("strength", "area_needing_improvement")
        rows.append({**{k: case[k] for k in ("review_id", "child_id", "unit_id", "unit_name",
                                             "case_type", "review_date", "period_start",
                                             "period_end")},
                     "item": item, "pair_id": pair.id, "measure": m, "rating": rating,
                     "data": data, "value": case[f"{m}_value"], "base": case[f"{m}_base"],
                     "data_text": data_text(m, case[f"{m}_value"], case[f"{m}_base"], fav,
                                            case[f"{m}_detail"]),
                     "compared": compared,
                     "agree": ((rating == "strength") == (data == "favourable")) if compared else None})
    schema = {"review_id": pl.String, "child_id": pl.String, "unit_id": pl.String,
              "unit_name": pl.String, "case_type": pl.String, "review_date": pl.Date,
              "period_start": pl.Date, "period_end": pl.Date, "item": pl.String,
              "pair_id": pl.String, "measure": pl.String, "rating": pl.String, "data": pl.String,
              "value": pl.Float64, "base": pl.Float64, "data_text": pl.String,
              "compared": pl.Boolean, "agree": pl.Boolean}
    out = pl.DataFrame(rows, schema=schema)
    return (out.with_columns(_o=pl.col("item").replace_strict(_ITEM_ORDER, default=len(ITEMS)))
            .sort(["_o", "review_date", "review_id"]).drop("_o"))


def _z(settings: JointSettings) -> float:
    from scipy.stats import norm  # imported when used: scipy.stats costs every command 0.7 s to load

    return float(norm.ppf(1 - (1 - settings.labels.confidence) / 2))


def agreement_table(comparison: pl.DataFrame, settings: JointSettings | None = None) -> pl.DataFrame:
    """Per item: the 2 × 2 table of review rating × data, rates with Wilson intervals,
    percent agreement and Cohen's kappa.

    Args:
        comparison: `item_comparison` rows (any selection of them).

    Returns:
        item, pair_id, measure, compared (reviews in the table), strength_favourable,
        strength_unfavourable, ani_favourable, ani_unfavourable, agreements,
        percent_agreement with agreement_low / agreement_high, kappa (null below two
        compared reviews), strength_when_favourable (share rated a strength when the data
        are favourable) with its interval (swf_low, swf_high), strength_when_unfavourable
        with swu_low, swu_high, and not_compared (rated not applicable, or a measure that
        does not apply or cannot be judged yet). Instrument order.
    """
    settings = settings or load_joint_settings()
    z = _z(settings)
    rows = []
    for item in [i for i in ITEMS if i in set(comparison["item"].to_list())]:
        part = comparison.filter(pl.col("item") == item)
        used = part.filter(pl.col("compared"))
        strength = (used["rating"] == "strength").to_numpy()
        fav = (used["data"] == "favourable").to_numpy()
        a, b = int((strength & fav).sum()), int((strength & ~fav).sum())
        c, d = int((~strength & fav).sum()), int((~strength & ~fav).sum())
        n = a + b + c + d
        kappa = None
        if n >= 2:
            k = qualitative.cohen_kappa(["favourable" if s else "unfavourable" for s in strength],
                                        ["favourable" if f else "unfavourable" for f in fav])
            kappa = None if math.isnan(k) else float(k)
        lo, hi = wilson(np.array([a + d, a, b]), np.array([n, a + c, b + d]), z)
        rows.append({"item": item, "pair_id": part["pair_id"][0], "measure": part["measure"][0],
                     "compared": n, "strength_favourable": a, "strength_unfavourable": b,
                     "ani_favourable": c, "ani_unfavourable": d, "agreements": a + d,
                     "percent_agreement": (a + d) / n if n else None,
                     "agreement_low": _num(lo[0]), "agreement_high": _num(hi[0]),
                     "kappa": kappa,
                     "strength_when_favourable": a / (a + c) if a + c else None,
                     "swf_low": _num(lo[1]), "swf_high": _num(hi[1]),
                     "strength_when_unfavourable": b / (b + d) if b + d else None,
                     "swu_low": _num(lo[2]), "swu_high": _num(hi[2]),
                     "not_compared": part.height - n})
    schema = {"item": pl.String, "pair_id": pl.String, "measure": pl.String, "compared": pl.Int64,
              "strength_favourable": pl.Int64, "strength_unfavourable": pl.Int64,
              "ani_favourable": pl.Int64, "ani_unfavourable": pl.Int64, "agreements": pl.Int64,
              "percent_agreement": pl.Float64, "agreement_low": pl.Float64,
              "agreement_high": pl.Float64, "kappa": pl.Float64,
              "strength_when_favourable": pl.Float64, "swf_low": pl.Float64, "swf_high": pl.Float64,
              "strength_when_unfavourable": pl.Float64, "swu_low": pl.Float64,
              "swu_high": pl.Float64, "not_compared": pl.Int64}
    return pl.DataFrame(rows, schema=schema)


def _num(x: float) -> float | None:
    return None if x is None or math.isnan(x) else float(x)


def agreement_cells(table: pl.DataFrame) -> pl.DataFrame:
    """The agreement tables in long form, one row per item × rating × data.

    Returns:
        item, rating (strength, area_needing_improvement), data (favourable,
        unfavourable), reviews, agree (the review and the data point the same way).
    """
    cells = [("strength", "favourable", "strength_favourable", True),
             ("strength", "unfavourable", "strength_unfavourable", False),
             ("area_needing_improvement", "favourable", "ani_favourable", False),
             ("area_needing_improvement", "unfavourable", "ani_unfavourable", True)]
    rows = [{"item": r["item"], "rating": rating, "data": data, "reviews": r[col], "agree": agree}
            for r in table.iter_rows(named=True) for rating, data, col, agree in cells]
    return pl.DataFrame(rows, schema={"item": pl.String, "rating": pl.String, "data": pl.String,
                                      "reviews": pl.Int64, "agree": pl.Boolean})


def disagreements(comparison: pl.DataFrame) -> pl.DataFrame:
    """The reviews where the rating and the records point different ways.

    Returns:
        review_id, child_id, unit_id, unit_name, review_date, item, rating (in words),
        data (in words), data_text; instrument order, newest review first within an item.
    """
    out = comparison.filter(pl.col("agree") == False)  # noqa: E712 (null: not compared)
    return (out.with_columns(_o=pl.col("item").replace_strict(_ITEM_ORDER, default=len(ITEMS)),
                             rating=pl.col("rating").replace_strict(RATING_WORDS, default=pl.col("rating")),
                             data=pl.col("data").replace_strict(DATA_WORDS, default=pl.col("data")))
            .sort(["_o", "review_date"], descending=[False, True])
            .select("review_id", "child_id", "unit_id", "unit_name", "review_date", "item",
                    "rating", "data", "data_text"))
