"""Streamlit glue of the What changed page: whose signals, the summary line, the ranked
cards and the full list, each card linking to its chart on the Trends page."""

from __future__ import annotations

import polars as pl
import streamlit as st

import cqi_core
from cqi_core import Catalog
from pages import _nav as nav
from pages import _params as params
from pages import _shared as ui
from pages import _trend_widgets as tw

RULE_NAMES = {"outside_limits": "a point outside the limits", "shift": "a run on one side",
              "trend": "a steady trend", "two_in_three": "two of three near a limit",
              "few_crossings": "too few crossings"}


def scope_from_link() -> str:
    """Whose signals the link asks for (?unit=U012, else ?region=North), as an option of
    `choose_scope`; everyone when it names neither (with a note for a name not known)."""
    u = tw.units()
    region = params.choice_param("region", sorted(set(u["region"].to_list())), None,
                                 what="region", instead="everyone's signals are listed")
    unit = params.choice_param("unit", u["unit_id"].to_list(), None, what="unit",
                               instead=f"the signals of the {ui.plain(region)} region are listed"
                               if region else "everyone's signals are listed")
    return f"unit:{unit}" if unit else f"region:{region}" if region else "all"


def choose_scope(wanted: str = "all") -> tuple[str | None, str | None]:
    """Whose signals: everyone, one region (and its units) or one unit, starting on `wanted`
    (from `scope_from_link`); written back to the URL."""
    u = tw.units()
    names = dict(zip(u["unit_id"].to_list(), u["unit_name"].to_list()))
    options = ["all"] + [f"region:{r}" for r in sorted(set(u["region"].to_list()))] + \
        [f"unit:{i}" for i in names]
    pick = st.selectbox("Whose signals", options, index=tw.pick_index(options, wanted),
                        help="Everyone: the agency, every region and every unit. A region "
                             "includes its units.",
                        format_func=lambda o: "Everyone"
                        if o == "all" else f"Region: {o[7:]} and its units"
                        if o.startswith("region:") else f"Unit: {names.get(o[5:], o[5:])}")
    for key in ("unit", "region"):
        if key in st.query_params:
            del st.query_params[key]
    if pick == "all":
        return None, None
    kind, value = pick.split(":", 1)
    st.query_params[kind] = value
    return (value, None) if kind == "unit" else (None, value)


def in_scope(found: pl.DataFrame, unit: str | None, region: str | None) -> pl.DataFrame:
    """The signals of one unit, or of one region and its units (all of them when neither)."""
    if unit:
        return found.filter((pl.col("group_by") == "unit") & (pl.col("group_value") == unit))
    if region:
        mine = tw.units().filter(pl.col("region") == region)["unit_id"].to_list()
        return found.filter(((pl.col("group_by") == "region") & (pl.col("group_value") == region))
                            | ((pl.col("group_by") == "unit") & pl.col("group_value").is_in(mine)))
    return found


def summary_line(found: pl.DataFrame, recent: int, grain: str) -> str:
    """"12 signals in the last 6 months: 5 need attention, 7 improvements." """
    unit = "month" if grain == "month" else "quarter"
    n = found.height
    counts = {d: found.filter(pl.col("direction") == d).height
              for d in ("concern", "improvement", "neutral")}
    text = (f"**{n} signal{'' if n == 1 else 's'}** in the last {recent} {unit}"
            f"{'' if recent == 1 else 's'}: **{counts['concern']}** need"
            f"{'s' if counts['concern'] == 1 else ''} attention, **{counts['improvement']}** "
            f"improvement{'' if counts['improvement'] == 1 else 's'}")
    if counts["neutral"]:
        text += f", **{counts['neutral']}** change{'' if counts['neutral'] == 1 else 's'} in " \
                "a measure where neither way is better"
    return text + "."


def ranking_words() -> str:
    """How the lists are ranked, in one sentence (from trends.yaml)."""
    s = cqi_core.trend_settings()
    weights = ", ".join(f"{RULE_NAMES[r]} {w:g}" for r, w in
                        sorted(s.strength.items(), key=lambda kv: -kv[1]))
    return (f"Ranked by the strength of the rule ({weights}) plus recency (a signal that "
            f"reaches the latest period adds 1, older ones less); context measures such as "
            f"caseload count {s.context_weight:g} times as much. The weights are set in "
            "trends.yaml.")


def _when(row: dict, grain: str) -> str:
    unit = "month" if grain == "month" else "quarter"
    a, b = (cqi_core.period_label(row[c], grain) for c in ("signal_start", "signal_end"))
    span = a if a == b else f"{a} to {b}"
    ago = row["periods_ago"]
    if ago == 0:
        return f"{span} · up to the latest {unit} on its chart"
    return f"{span} · ended {ago} {unit}{'' if ago == 1 else 's'} before the latest on its chart"


def change_cards(found: pl.DataFrame, catalog: Catalog, symbol: str, grain: str, preset: str,
                 limit: int, key: str) -> None:
    """One card per chart, strongest first: measure, group, its signals, when, a link.
    Cards carry the CSS class `st-key-<key>-<rank>` (rank from 1)."""
    if found.is_empty():
        st.caption("None in these periods.")
        return
    charts = found.group_by(["indicator_id", "group_by", "group_value"], maintain_order=True) \
        .agg(pl.all()).head(limit)
    for rank, row in enumerate(charts.iter_rows(named=True), start=1):
        entry = catalog.entry(row["indicator_id"])
        with st.container(border=True, key=f"{key}-{rank}"):
            st.markdown(f"**{entry.name}** · {tw.label(row['group_by'], row['group_value'])}")
            for i, sentence in enumerate(row["sentence"]):
                one = {k: row[k][i] for k in ("signal_start", "signal_end", "periods_ago")}
                st.markdown(f"{symbol} {sentence}  \n:gray[{_when(one, grain)}]")
            st.page_link(nav.script("trends.py"), label=f"Open the chart ({row['chart'][0]})",
                         icon=":material/show_chart:", query_params={
                             "id": row["indicator_id"], "by": row["group_by"],
                             "group": row["group_value"], "grain": grain, "rules": preset})
    rest = found.select("indicator_id", "group_by", "group_value").unique().height - charts.height
    if rest > 0:
        st.caption(f"{rest} more chart{'' if rest == 1 else 's'} in the full list below.")


def full_list(found: pl.DataFrame, catalog: Catalog, grain: str, preset: str) -> None:
    """Every signal in one table, with a link to its chart."""
    if found.is_empty():
        return
    names = {e.id: e.name for e in catalog}
    # Labels are worked out here, on the script's own thread: a polars callback runs on a
    # worker thread, where who is looking (the session and its headers) cannot be read.
    whose = pl.DataFrame(
        [{"group_by": b, "group_value": v, "Whose": tw.label(b, v)}
         for b, v in found.select("group_by", "group_value").unique().iter_rows()],
        schema={"group_by": pl.String, "group_value": pl.String, "Whose": pl.String})
    table = found.join(whose, on=["group_by", "group_value"], how="left", maintain_order="left")
    table = table.with_row_index("Rank", offset=1).select(
        "Rank",
        pl.col("direction").replace_strict({"concern": "needs attention", "improvement":
                                            "improvement", "neutral": "change"}).alias("Kind"),
        pl.col("indicator_id").replace_strict(names, default=None).alias("Measure"),
        "Whose",
        pl.col("sentence").alias("What the chart shows"),
        pl.col("chart").alias("Chart"),
        ("trends?id=" + pl.col("indicator_id") + "&by=" + pl.col("group_by") + "&group="
         + pl.col("group_value").str.replace_all(" ", "+") + f"&grain={grain}&rules={preset}")
        .alias("Link"))
    with st.expander(f"The full list ({found.height} signals)"):
        ui.show_table(table, "One row per signal, most important first: its rank, whether it "
                      "needs attention or is an improvement, the measure, whose chart it is, what "
                      "the chart shows and a link to the chart.",
                      hide_index=True, width="stretch", column_config={
                          "Link": st.column_config.LinkColumn("Chart link", display_text="open")})
