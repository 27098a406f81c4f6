"""Time in care: how soon children who came into care leave it, as curves by entry year and
by group, tied to permanency in 12 months (P1), and where they live month by month.

The entry year and grouping live in the URL (?end=2025-09-30&by=region). The core computes
the curves (Aalen–Johansen and Kaplan–Meier) and releases them for the viewer's audience:
public audiences get the any-permanency curve of published fiscal years only, where every
count behind it passes the suppression rules.
"""


import polars as pl
import streamlit as st

import cqi_core
from cqi_core import CQIError
from pages import _params as params
from pages import _shared as ui
from pages import _time_in_care_widgets as w
from pages._time_in_care_widgets import GROUPS, _curves, _cohorts, _drawn, _label, _p1

ui.require_router("time_in_care.py")

ENTRIES = {"all": "Every entry (first entries and re-entries)",
           "p1": "Each child's first entry in the year (as P1 counts)",
           "first": "First entries into care only"}


def _page() -> None:
    """The page, with each entry year read once for all its charts and tables."""
    st.title("Time in care")
    st.caption("How soon do children who come into care leave it, and how? Each line follows the "
               "children who entered care in one year, month by month, until they leave or the "
               "data ends.")
    if ui.as_of() is None:
        st.info("No data is loaded yet.")
        st.stop()

    version = ui.data_version()
    settings = cqi_core.time_in_care_settings()
    public = ui.viewer().public
    try:
        spans = _cohorts(version)
    except CQIError as exc:
        st.info(str(exc))
        st.stop()
    if not spans:
        st.info("No entry year can be shown yet.")
        st.stop()

    curves = [settings.public_curve] if public else ["any_permanency", "any_exit"]
    ends = [e for _, e in spans][::-1]  # newest first
    as_of = ui.as_of()
    followed = [e for e in ends if cqi_core.plus_months_followed(e, as_of) >= 12]
    top = st.columns([2, 2, 3])
    wanted = params.date_param("end", (followed or ends)[0], ends, what="entry year",
                               instead="the latest entry year is shown")
    end = top[0].selectbox("Entry year", ends, index=ends.index(wanted),
                           format_func=lambda e: _label(next(s for s in spans if s[1] == e)),
                           help="The fiscal year the children came into care in.")
    start = next(s for s, e in spans if e == end)
    groups = list(GROUPS)
    by = top[1].selectbox("Compare groups by", groups, format_func=GROUPS.get,
                          index=params.choice_index("by", groups, what="grouping",
                                                    instead="the groups by region are shown"))
    if public:
        entries = "p1"
        top[2].caption("Children counted: " + ENTRIES["p1"][0].lower() + ENTRIES["p1"][1:] + ".")
    else:
        entries = top[2].radio("Children counted", list(ENTRIES), format_func=ENTRIES.get,
                               help="P1 counts each child once, on their first entry in the year.")
    curve = st.radio("Curve", curves, format_func=settings.exit_words.get, horizontal=True) \
        if len(curves) > 1 else curves[0]
    st.query_params.update({"end": end.isoformat(), "by": by})
    words = settings.exit_words[curve]

    # ------------------------------------------------------------------ by entry year
    st.subheader("Is this year's cohort leaving earlier?")
    frames = []
    for s, e in spans:
        try:
            f = _curves(version, s, e, "all", entries)
        except CQIError:
            continue
        frames.append(_drawn(f).filter(pl.col("exit_type") == curve).with_columns(
            pl.lit(_label((s, e))).alias("cohort")))
    years = pl.concat(frames) if frames else pl.DataFrame()
    try:
        p1 = _p1(version, start, end)
    except CQIError:
        p1 = None
    if years.is_empty() or years.filter(pl.col("cumulative").is_not_null()).is_empty():
        st.info("No curve can be shown for these entry years"
                + (": their counts are too small to publish." if public else "."))
    else:
        ui.show_figure(cqi_core.cohort_curves_figure(
            years, "cohort", "Entered care in", words,
            p1_value=p1 if curve == "any_permanency" else None,
            title=f"{words}: how soon each year's entries left care"),
            what=f"Time in care: {words} by entry year")
        mine = years.filter((pl.col("cohort") == _label((start, end))) & (pl.col("month") == 12))
        at12 = mine["cumulative"][0] if mine.height and mine["cumulative"][0] is not None else None
        complete = cqi_core.plus_months_followed(end, as_of) >= 12
        p1_words = (f"{p1:.1%}" if complete else f"{p1:.1%} so far (not every child has been followed "
                    "12 months yet)") if p1 is not None else "not available (hidden)"
        st.markdown(
            f"**The 12-month point and P1.** For children entering care in {_label((start, end))}, "
            + (f"the curve reads {at12:.1%} at 12 months; " if at12 is not None and curve == "any_permanency"
               else "")
            + f"permanency in 12 months (P1) is {p1_words}. "
            "The two match only for the same children and the same follow-up: P1 counts each child "
            "once (their first entry in the year), leaves out stays under 8 days and children 18 or "
            "over, and counts exits within 12 months once every child has been followed 12 months. "
            "The curve uses the same exit dates (a trial home visit counts from its 30th day) and "
            "short-stay rule"
            + ("; choose “each child's first entry in the year” above to see P1's cohort exactly."
               if not public else "; public curves count P1's cohort, so at 12 months they are P1."))

    w.by_group(version, start, end, by, entries, curve, words, public)
    w.how_they_left(version, start, end, entries, public)
    w.explainer(public)


with cqi_core.shared_cohorts():
    _page()
