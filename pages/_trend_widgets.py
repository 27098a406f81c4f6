"""Streamlit glue shared by the Trends and What changed pages.

The series of every measure by period is slow to build the first time (half a minute for
months on the sample agency), so it is cached by data version and grain, and the scan on
top of it by preset and recent periods too. The view (measure, grouping, group, grain,
rule preset) lives in the URL, so a link from What changed opens the same chart. The forms
only collect what the person typed; the core checks it (a freeze or split needs a reason)
and stores it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl
import streamlit as st

import cqi_core
from cqi_core.analysis import trends
from cqi_core.errors import CQIError
from cqi_core.indicators.catalog import Catalog, CatalogEntry
from cqi_core.charts.trends import RULE_WORDS, display_scale, format_display, group_label
from pages import _shared as ui

GRAINS = {"month": "Monthly", "quarter": "Quarterly"}
GROUPINGS = {"all": "The whole agency", "unit": "A unit", "region": "A region"}
PRESETS = {"anhoej": "Anhøj (qicharts2)", "mdc": "Making Data Count"}
PRESET_WORDS = {
    "anhoej": "Anhøj rules, as in the qicharts2 package: a point outside the 3-sigma limits, an "
              "unusually long run on one side of the centre line, or too few crossings of it "
              "is a signal; these keep false alarms near 5% however long the chart.",
    "mdc": "Making Data Count, the NHS England method: an XmR chart where a point outside the "
           "limits, 7 points in a row on one side, 7 rising or falling in a row, or 2 of 3 "
           "close to a limit is a signal; it also says whether the standard will be met.",
}
KIND_WORDS = {"freeze": "Baseline frozen", "split": "New process", "note": "Note"}
_FLASH = "trend_note_saved"
_EDITOR = "trend_note_editor"


@dataclass(frozen=True)
class View:
    """What the Trends page shows (the URL's query parameters)."""

    indicator_id: str
    """The measure."""
    group_by: str
    """all, unit or region."""
    group_value: str
    """'all', a unit id or a region name."""
    grain: str
    """month or quarter."""
    preset: str
    """anhoej or mdc."""

    def params(self) -> dict[str, str]:
        """The view as query parameters."""
        return {"id": self.indicator_id, "by": self.group_by, "group": self.group_value,
                "grain": self.grain, "rules": self.preset}


@st.cache_data(show_spinner="Computing every measure for every period, unit and region. "
                            "The first time takes about half a minute; after that it is kept "
                            "until the next import.")
def _series(version: str, grain: str) -> pl.DataFrame:
    return trends.build_series(ui.store(), grain)


def series(grain: str) -> pl.DataFrame:
    """Every measure by period for the agency, each unit and each region (cached)."""
    return _series(ui.data_version(), grain)


@st.cache_data(show_spinner="Looking for signals in every measure, unit and region…")
def _scan(version: str, grain: str, preset: str, recent: int) -> pl.DataFrame:
    catalog = cqi_core.load_catalog(ui.store())
    return trends.scan(_series(version, grain), catalog, grain, preset=preset, recent=recent)


def scan(grain: str, preset: str, recent: int) -> pl.DataFrame:
    """The ranked signals of the most recent periods (cached)."""
    return _scan(ui.data_version(), grain, preset, recent)


@st.cache_data(show_spinner=False)
def _units(version: str) -> pl.DataFrame:
    return cqi_core.unit_list(ui.store()).sort("unit_name")


def units() -> pl.DataFrame:
    """unit_id, unit_name, region, by unit name."""
    return _units(ui.data_version())


def unit_names() -> dict[str, str]:
    """Unit id → unit name."""
    u = units()
    return dict(zip(u["unit_id"].to_list(), u["unit_name"].to_list()))


def label(group_by: str, group_value: str) -> str:
    """Whose figures, in words."""
    return group_label(group_by, group_value, unit_names())


def pick_index(options: list[str], wanted: str | None) -> int:
    return options.index(wanted) if wanted in options else 0


def choose_view(catalog: Catalog, all_series: pl.DataFrame) -> View:
    """The measure, group, grain and rules, read from and written back to the URL."""
    qp = st.query_params
    top = st.columns([3, 1])
    ids = [i for i in catalog.ids if i in set(all_series["indicator_id"].unique().to_list())]
    iid = top[0].selectbox("Measure", ids, index=pick_index(ids, qp.get("id")),
                           format_func=lambda i: catalog.entry(i).name)
    grains = list(GRAINS)
    grain = top[1].radio("Periods", grains, index=pick_index(grains, qp.get("grain")),
                         format_func=GRAINS.get, horizontal=True)
    mine = all_series.filter(pl.col("indicator_id") == iid)
    present = set(mine["group_by"].unique().to_list())
    groupings = [g for g in GROUPINGS if g in present]
    row = st.columns([2, 2, 2])
    by = row[0].radio("Whose figures", groupings, index=pick_index(groupings, qp.get("by")),
                      format_func=GROUPINGS.get, horizontal=True)
    group = "all"
    values = set(mine.filter(pl.col("group_by") == by)["group_value"].unique().to_list())
    if by == "unit":
        names = unit_names()
        options = [u for u in names if u in values]
        group = row[1].selectbox("Unit", options, index=pick_index(options, qp.get("group")),
                                 format_func=lambda u: names.get(u, u))
    elif by == "region":
        options = sorted(values)
        group = row[1].selectbox("Region", options, index=pick_index(options, qp.get("group")))
    presets = list(PRESETS)
    default = trends.load_settings().preset
    preset = row[2].radio("Signal rules", presets,
                          index=pick_index(presets, qp.get("rules") or default),
                          format_func=lambda p: PRESETS[p] + (" (default)" if p == default else ""),
                          horizontal=True, help=PRESET_WORDS["anhoej"] + " " + PRESET_WORDS["mdc"])
    view = View(iid, by, group, grain, preset)
    st.query_params.update(view.params())
    return view


def icons(entry: CatalogEntry, chart: trends.TrendChart, variation: tuple[str, str],
          assurance: tuple[str, str]) -> None:
    """The latest value, what it says (variation) and whether the standard will be met."""
    last = chart.points.row(chart.points.height - 1, named=True)
    c = st.columns(3)
    when = trends.period_label(last["period_start"], chart.grain)
    c[0].caption(f"Latest: {when}" + (" (provisional)" if last["provisional"] else ""))
    c[0].markdown(f"**{format_display(entry, last['value'])}**")
    c[1].caption("Variation (the latest period)")
    c[1].markdown(f"**{variation[0]} {variation[1]}**")
    c[2].caption("Against the agency standard")
    c[2].markdown(f"**{assurance[0]} {assurance[1]}**")


def signal_lists(chart: trends.TrendChart, symbols: dict[str, str]) -> None:
    """Every signal as one sentence, newest first: concerns, improvements, other changes."""
    if not chart.signals:
        st.markdown("**No signals.** The ups and downs are what chance alone would give.")
        return
    for direction, title in (("concern", "Needs attention"), ("improvement", "Improvements"),
                             ("neutral", "Changes (neither way is better)")):
        found = [s for s in reversed(chart.signals) if s.direction == direction]
        if found:
            st.markdown(f"**{title} ({len(found)})**")
            st.markdown("\n".join(f"- {symbols[direction]} {s.sentence}" for s in found))


def references(entry: CatalogEntry) -> str:
    """The standard and the national reference in one plain sentence."""
    way = {"higher": "higher is better", "lower": "lower is better",
           "none": "neither higher nor lower is better"}[entry.direction]
    text = (f"The agency standard is {format_display(entry, entry.standard)} ({way})."
            if entry.standard is not None else f"The agency has not set a standard ({way}).")
    text += (f" National performance is {format_display(entry, entry.national)}."
             if entry.national is not None else " There is no national reference for this measure.")
    return text


def _flash() -> None:
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def _saved(message: str) -> None:
    st.session_state[_FLASH] = message
    st.rerun()


def _who(key: str) -> str:
    name = st.text_input("Your name (kept with it; leave empty to record your role)",
                         key=key, value=st.session_state.get(_EDITOR, ""))
    if name.strip():
        st.session_state[_EDITOR] = name.strip()
    return name.strip() or ui.role()


def _note_rows(notes: pl.DataFrame, kinds: tuple[str, ...], grain: str, key: str) -> None:
    rows = notes.filter(pl.col("kind").is_in(list(kinds)))
    if rows.is_empty():
        st.caption("None yet.")
        return
    for r in rows.iter_rows(named=True):
        left, right = st.columns([6, 1])
        scope = " (every chart)" if r["indicator_id"] == "*" else ""
        left.markdown(f"**{KIND_WORDS[r['kind']]}: {trends.period_label(r['note_date'], grain)}**"
                      f"{scope}: {r['text']}  \n"
                      f"_Recorded by {r['saved_by']} on {r['saved_at']:%B %-d, %Y}._")
        if right.button("Remove", key=f"{key}_remove_{r['note_id']}"):
            trends.remove_note(ui.store(), r["note_id"], st.session_state.get(_EDITOR) or ui.role())
            _saved("Removed. The chart is drawn without it.")


def _add(view: View, when: date, kind: str, text: str, who: str, done: str) -> None:
    try:
        trends.add_note(ui.store(), view.indicator_id, view.group_by, view.group_value, when,
                        kind, text, who)
    except CQIError as exc:
        st.error(str(exc))
    else:
        _saved(done)


def phases_editor(view: View, chart: trends.TrendChart, notes: pl.DataFrame) -> None:
    """Freeze the baseline or split the chart at a date, with a required reason."""
    _flash()
    with st.expander("Baseline and phases", expanded=not notes.filter(
            pl.col("kind").is_in(["freeze", "split"])).is_empty()):
        st.caption("**Freeze the baseline** before a change you are testing: the centre line and "
                   "limits of the periods before it carry on, so you can see whether the change "
                   "moved the process. **Split** once a change is accepted and lasting: the chart "
                   "starts a new centre line and limits from that date. Both need a reason.")
        _note_rows(notes, ("freeze", "split"), chart.grain, "phase")
        starts = chart.points["period_start"].to_list()[2:]
        if not starts:
            return
        with st.form("trend_phase_form", clear_on_submit=True):
            kind = st.radio("What to do", ["freeze", "split"], horizontal=True,
                            key="phase_kind",
                            format_func={"freeze": "Freeze the baseline before this period",
                                         "split": "Start a new process from this period"}.get)
            when = st.selectbox("Period", starts, index=len(starts) // 2, key="phase_period",
                                format_func=lambda d: trends.period_label(d, chart.grain))
            why = st.text_area("Why (required)", key="phase_why",
                               placeholder="For example: weekly visit huddles started in "
                                           "this unit in March.")
            who = _who("trend_phase_who")
            if st.form_submit_button("Save"):
                _add(view, when, kind, why, who, "Saved. The chart now uses it.")


def notes_editor(view: View, chart: trends.TrendChart, notes: pl.DataFrame) -> None:
    """Dated notes on the chart (a training, a policy change, a staffing gap)."""
    with st.expander("Notes on dates"):
        _note_rows(notes, ("note",), chart.grain, "note")
        with st.form("trend_note_form", clear_on_submit=True):
            starts = chart.points["period_start"].to_list()
            when = st.selectbox("Period", starts, index=len(starts) - 1, key="note_period",
                                format_func=lambda d: trends.period_label(d, chart.grain))
            text = st.text_area("Note (required)", key="note_text",
                                placeholder="For example: two caseworkers left the unit; "
                                            "their cases were shared out.")
            who = _who("trend_note_who")
            if st.form_submit_button("Add the note"):
                _add(view, when, "note", text, who, "Note added.")


def points_table(chart: trends.TrendChart, entry: CatalogEntry) -> None:
    """The plotted points as a table, on the same scale as the chart."""
    k = display_scale(entry)
    table = chart.points.select(
        pl.col("period_start").map_elements(lambda d: trends.period_label(d, chart.grain),
                                            return_dtype=pl.String).alias("Period"),
        pl.col("numerator").alias("Numerator"), pl.col("denominator").alias("Denominator"),
        (pl.col("value") * k).round(2).alias("Value"), (pl.col("cl") * k).round(2).alias("Centre"),
        (pl.col("lcl") * k).round(2).alias("Lower limit"),
        (pl.col("ucl") * k).round(2).alias("Upper limit"),
        pl.when(pl.col("provisional")).then(pl.lit("provisional, not judged"))
        .otherwise(pl.col("rule").replace_strict(RULE_WORDS, default="")).alias("Signal"))
    with st.expander("The plotted points (table)"):
        ui.show_table(table, f"One row per {chart.grain} plotted for "
                             f"{entry.name}: the period, numerator, denominator, value, centre "
                             "line, lower and upper limits and any signal.",
                      hide_index=True, width="stretch")
