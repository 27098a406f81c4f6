"""Time in care (analysis/time_in_care.py): the cohort rules, the curves on hand-worked
cohorts, the public rule and the command line.

Every expected figure is worked out in the comments. Unless a test says otherwise the entry
period is calendar 2024, children are born in 2015 and the as-of date is 30 September 2024.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from cqi_core import cli, privacy
from cqi_core.analysis import time_in_care as tic
from cqi_core.storage.store import Store, open_store

Z = 1.959963984540054
PERIOD = (date(2024, 1, 1), date(2024, 12, 31))


# --------------------------------------------------------------------------- hand-made rows

def _insert(store: Store, table: str, columns: list[str], rows: list[tuple]) -> None:
    cur = store.cursor()
    try:
        for row in rows:
            cur.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                        f"({', '.join('?' for _ in columns)})", list(row))
    finally:
        cur.close()


def _store(tmp_path: Path, as_of: str = "2024-09-30") -> Store:
    store = open_store(tmp_path / "t.duckdb")
    _insert(store, "units", ["unit_id", "unit_name", "region"],
            [("U1", "Unit one", "North"), ("U2", "Unit two", "South")])
    store.query(f"INSERT INTO settings VALUES ('as_of_date', '{as_of}')")
    return store


def _child(store: Store, child_id: str, born: str = "2015-01-01") -> None:
    _insert(store, "children", ["child_id", "birth_date", "sex", "race_ethnicity"],
            [(child_id, date.fromisoformat(born), "female", "white")])


def _episode(store: Store, eid: str, cid: str, removal: str, discharge: str | None = None,
             reason: str | None = None, unit: str = "U1") -> None:
    _insert(store, "episodes", ["episode_id", "child_id", "removal_date", "discharge_date",
                                "discharge_reason", "unit_id"],
            [(eid, cid, date.fromisoformat(removal),
              date.fromisoformat(discharge) if discharge else None, reason, unit)])


def _placement(store: Store, pid: str, eid: str, cid: str, start: str, setting: str,
               end: str | None = None) -> None:
    _insert(store, "placements", ["placement_id", "episode_id", "child_id", "start_date",
                                  "end_date", "setting"],
            [(pid, eid, cid, date.fromisoformat(start),
              date.fromisoformat(end) if end else None, setting)])


def _five(tmp_path: Path) -> Store:
    """The five-child cohort of the hand-worked Aalen–Johansen example.

    Months since removal (month m of a removal on 15 January runs from the 15th of month
    m - 1 after January to the 14th of the next):
      A  removed 2024-01-15, reunified 2024-03-01: month 2 (15 Feb <= 1 Mar < 15 Mar)
      B  removed 2024-01-15, adopted   2024-03-10: month 2
      C  removed 2024-05-20, in care: watched 4 whole months (20 May + 4 months = 20 Sep <=
         1 Oct, + 5 months = 20 Oct > 1 Oct), censored at 4
      D  removed 2024-01-15, reunified 2024-07-01: month 6 (15 Jun <= 1 Jul < 15 Jul)
      E  removed 2024-01-15, in care: watched 8 months (15 Sep <= 1 Oct), censored at 8
    """
    s = _store(tmp_path)
    for c in "ABCDE":
        _child(s, c)
    _episode(s, "EA", "A", "2024-01-15", "2024-03-01", "reunification")
    _episode(s, "EB", "B", "2024-01-15", "2024-03-10", "adoption")
    _episode(s, "EC", "C", "2024-05-20")
    _episode(s, "ED", "D", "2024-01-15", "2024-07-01", "reunification")
    _episode(s, "EE", "E", "2024-01-15")
    return s


def _curve(frame: pl.DataFrame, exit_type: str, group: str = "all") -> dict[int, dict]:
    rows = frame.filter((pl.col("exit_type") == exit_type) & (pl.col("group_value") == group))
    return {r["month"]: r for r in rows.iter_rows(named=True)}


# --------------------------------------------------------------------------- the cohort

def test_cohort_rows_follow_p1s_conventions(tmp_path):
    s = _store(tmp_path)
    # F: turns 18 on 2024-03-01 while in care: a stay ending on the birthday, reason
    #    reached_18 (other), month 2 (15 Feb <= 1 Mar < 15 Mar).
    _child(s, "F", "2006-03-01")
    _episode(s, "EF", "F", "2024-01-15")
    # G: 4-day stay (a short stay): not an entry.
    _child(s, "G")
    _episode(s, "EG", "G", "2024-02-01", "2024-02-05", "reunification")
    # H: in care in 2023, back in 2024: a re-entry, and P1's entry for H.
    _child(s, "H")
    _episode(s, "EH1", "H", "2023-01-01", "2023-06-01", "reunification")
    _episode(s, "EH2", "H", "2024-02-01")
    # I: trial home visit from 2024-03-01, reunified 2024-06-01 (92 days > 30): the exit
    #    counts from 2024-03-31, month 3 (15 Mar <= 31 Mar < 15 Apr), not month 5.
    _child(s, "I")
    _episode(s, "EI", "I", "2024-01-15", "2024-06-01", "reunification")
    _placement(s, "PI1", "EI", "I", "2024-01-15", "nonrelative_foster_home", "2024-03-01")
    _placement(s, "PI2", "EI", "I", "2024-03-01", "trial_home_visit")
    # J: to a relative on 2024-02-15 = removal + 1 month exactly: month 2, not 1.
    _child(s, "J")
    _episode(s, "EJ", "J", "2024-01-15", "2024-02-15", "relative")
    # K: 19 on removal: not in the cohort.
    _child(s, "K", "2005-01-01")
    _episode(s, "EK", "K", "2024-01-15")
    # L: two entries in 2024: both are rows; the first is P1's, the second a re-entry. The
    #    second's transfer on 2024-09-15 = 15 Jul + 2 months is month 3 of it, an "other" exit.
    _child(s, "L")
    _episode(s, "EL1", "L", "2024-02-10", "2024-04-10", "guardianship", unit="U2")
    _episode(s, "EL2", "L", "2024-07-15", "2024-09-15", "transfer", unit="U2")
    rows = {r["episode_id"]: r for r in tic.cohort_rows(s, *PERIOD).iter_rows(named=True)}
    assert set(rows) == {"EF", "EH2", "EI", "EJ", "EL1", "EL2"}
    want = {  # episode: (entry, P1's cohort, exit type, month)
        "EF": ("first", True, "other", 2),
        "EH2": ("re-entry", True, None, 8),   # 1 Feb + 8 months = 1 Oct <= 1 Oct; + 9 > 1 Oct
        "EI": ("first", True, "reunification", 3),
        "EJ": ("first", True, "relative", 2),
        # 10 Feb + 2 months = 10 Apr, the exit day itself: month 3 (the smallest m with
        # 10 Apr < 10 Feb + m months).
        "EL1": ("first", True, "guardianship", 3),
        "EL2": ("re-entry", False, "other", 3),
    }
    got = {e: (r["entry"], r["p1_cohort"], r["exit_type"], r["month"]) for e, r in rows.items()}
    assert got == want
    assert rows["EF"]["exit_reason"] == "reached_18"
    assert rows["EL2"]["region"] == "South"


# --------------------------------------------------------------------------- the curves

def test_aalen_johansen_by_hand_on_five_children(tmp_path):
    frame = tic.survival(_five(tmp_path), *PERIOD)
    assert frame.columns == ["group_by", "group_value", "month", "at_risk", "exit_type",
                             "cumulative", "ci_low", "ci_high"]
    reunif, adopt = _curve(frame, "reunification"), _curve(frame, "adoption")
    perm, anyx = _curve(frame, "any_permanency"), _curve(frame, "any_exit")
    # At risk at the start of each month: 5 in months 1-2, 3 (C, D, E) in 3-4, 2 (D, E) in
    # 5-6, 1 (E) in 7-8, none from month 9 (no figure there).
    assert [reunif[m]["at_risk"] for m in range(1, 10)] == [5, 5, 3, 3, 2, 2, 1, 1, 0]
    # Month 2: 2 of 5 leave (1 reunified, 1 adopted); S(1) = 1, so each CIF = 1 x 1/5 = 0.2
    # and S(2) = 1 - 2/5 = 0.6. Month 6: D reunified, 1 of 2 at risk: reunification
    # 0.2 + S(5) x 1/2 = 0.2 + 0.6 x 0.5 = 0.5 (not 1 - (1 - 1/5)(1 - 1/2) = 0.6, what
    # Kaplan–Meier with adoption treated as censoring would say).
    assert reunif[1]["cumulative"] == 0
    assert reunif[2]["cumulative"] == pytest.approx(0.2)
    assert reunif[5]["cumulative"] == pytest.approx(0.2)
    assert reunif[6]["cumulative"] == pytest.approx(0.5)
    assert reunif[8]["cumulative"] == pytest.approx(0.5)
    assert reunif[9]["cumulative"] is None
    assert adopt[2]["cumulative"] == pytest.approx(0.2) and adopt[8]["cumulative"] == pytest.approx(0.2)
    # Any permanency: 2/5 = 0.4 at month 2, 0.4 + 0.6 x 1/2 = 0.7 at month 6. Nobody left
    # any other way, so leaving for any reason (1 - KM: 1 - 0.6 x 0.5) is 0.7 too.
    assert perm[2]["cumulative"] == pytest.approx(0.4) and perm[6]["cumulative"] == pytest.approx(0.7)
    assert anyx[2]["cumulative"] == pytest.approx(0.4) and anyx[6]["cumulative"] == pytest.approx(0.7)
    for t in ("relative", "guardianship", "other"):
        assert _curve(frame, t)[8]["cumulative"] == 0 and _curve(frame, t)[8]["ci_low"] is None
    # The 95% interval of reunification at month 2. Variance (Collett, Greenwood type): the
    # only term at the first exit is S(1)^2 d_k (n - d_k) / n^3 = 1 x 1 x 4 / 125 = 0.032,
    # se 0.178885. On the log(-log) scale: log(-log 0.2) = log 1.609438 = 0.475885,
    # se 0.178885 / (0.2 x 1.609438) = 0.555739; z x se = 1.089228; so
    # low = exp(-exp(0.475885 + 1.089228)) = exp(-4.783216) = 0.008369 and
    # high = exp(-exp(0.475885 - 1.089228)) = exp(-0.541537) = 0.581853.
    assert reunif[2]["ci_low"] == pytest.approx(0.008369, abs=2e-6)
    assert reunif[2]["ci_high"] == pytest.approx(0.581853, abs=2e-6)
    # Kaplan–Meier for any exit at month 2: S = 0.6, Greenwood V = S^2 x 2/(5 x 3) = 0.048,
    # se 0.219089; log(-log 0.6) = log 0.510826 = -0.671727, se 0.219089 / (0.6 x
    # 0.510826) = 0.714820, z x se = 1.401021. S runs from exp(-exp(-0.671727 + 1.401021))
    # = exp(-2.073617) = 0.125730 to exp(-exp(-0.671727 - 1.401021)) = exp(-0.125839) =
    # 0.881756, so leaving by month 2 runs from 1 - 0.881756 = 0.118244 to
    # 1 - 0.125730 = 0.874270.
    assert anyx[2]["ci_low"] == pytest.approx(0.118244, abs=2e-6)
    assert anyx[2]["ci_high"] == pytest.approx(0.874270, abs=2e-6)


def test_the_estimators_are_lifelines_own(tmp_path):
    """statsmodels computes the curves; lifelines' AalenJohansenFitter and KaplanMeierFitter
    give the same figures (a fixed, seeded cohort with ties, censoring and every exit type)."""
    import warnings

    from lifelines import AalenJohansenFitter, KaplanMeierFitter

    rng = np.random.default_rng(18)
    d = rng.integers(1, 37, size=300)
    c = rng.choice(6, size=300, p=[0.3, 0.35, 0.1, 0.1, 0.1, 0.05])
    settings = tic.load_settings()
    rows = tic._curves(d, c, settings)
    months = np.arange(1, 37)

    class Exact(AalenJohansenFitter):  # lifelines jitters ties at random; months tie for real
        @staticmethod
        def _check_for_duplicates(durations, events):
            return False

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k, name in enumerate(settings.exit_types, start=1):
            aj = Exact().fit(d, c, event_of_interest=k)
            ours = {r["month"]: r for r in rows if r["exit_type"] == name}
            cif = aj.cumulative_density_.iloc[:, 0]
            ci = aj.confidence_interval_
            for m in months:
                at = cif.index[cif.index <= m].max()
                assert ours[m]["cumulative"] == pytest.approx(cif.loc[at], abs=1e-12)
                bounds = sorted(ci.loc[at].tolist())  # lifelines names the bounds crosswise
                if ours[m]["ci_low"] is not None:
                    assert ours[m]["ci_low"] == pytest.approx(bounds[0], abs=1e-9)
                    assert ours[m]["ci_high"] == pytest.approx(bounds[1], abs=1e-9)
        km = KaplanMeierFitter().fit(d, c > 0)
        ours = {r["month"]: r for r in rows if r["exit_type"] == "any_exit"}
        for m in months:
            assert ours[m]["cumulative"] == pytest.approx(1 - km.predict(m), abs=1e-12)


def test_by_unit_gives_each_unit_its_own_curves(tmp_path):
    s = _five(tmp_path)
    _child(s, "M")
    # M alone in U2: reunified 2024-02-20, month 2 of a 15 January removal: 1 of 1.
    _episode(s, "EM", "M", "2024-01-15", "2024-02-20", "reunification", unit="U2")
    frame = tic.survival(s, *PERIOD, by="unit")
    assert set(frame["group_value"]) == {"U1", "U2"}
    assert _curve(frame, "reunification", "U2")[2]["cumulative"] == pytest.approx(1.0)
    assert _curve(frame, "reunification", "U1")[6]["cumulative"] == pytest.approx(0.5)
    med = {r["group_value"]: r for r in tic.median_time(s, *PERIOD, by="unit").iter_rows(named=True)}
    # U1 reaches half to permanency in month 6 (0.4 at month 2, 0.7 at month 6); U2 in 2.
    assert (med["U1"]["median_permanency"], med["U1"]["children"]) == (6, 5)
    assert med["U2"]["median_permanency"] == 2


def test_a_shared_visit_reads_each_cohort_once_and_nothing_is_kept_after_it(tmp_path):
    s = _five(tmp_path)
    with tic.shared_cohorts():
        first = tic.cohort_rows(s, *PERIOD)
        assert tic.cohort_rows(s, *PERIOD) is first  # the same rows, not read again
        assert tic.cohort_rows(s, date(2024, 1, 1), date(2024, 3, 31)) is not first
        # the five children's curves and medians are the same as read without sharing
        shared = (tic.survival(s, *PERIOD), tic.median_time(s, *PERIOD, by="unit"))
    assert shared[0].equals(tic.survival(s, *PERIOD))
    assert shared[1].equals(tic.median_time(s, *PERIOD, by="unit"))
    # Outside a visit every call reads the database: a child added without an import (so
    # the data version stays the same) is counted at once: 5 entries, then 6.
    assert tic.cohort_rows(s, *PERIOD).height == 5
    _child(s, "M")
    _episode(s, "EM", "M", "2024-01-15", "2024-02-20", "reunification", unit="U2")
    assert tic.cohort_rows(s, *PERIOD).height == 6


def test_the_placement_trajectory_counts_each_child_once_a_month(tmp_path):
    s = _five(tmp_path)
    _placement(s, "P1", "EE", "E", "2024-01-15", "relative_foster_home", "2024-04-01")
    _placement(s, "P2", "EE", "E", "2024-04-01", "group_home")
    traj = tic.placement_trajectory(s, *PERIOD)
    at = {(r["month"], r["state"]): r["children"] for r in traj.iter_rows(named=True)}
    # End of month 1 (14 Feb for 15 Jan removals, 19 Jun for C): all 5 in care; only E has
    # a placement (relative), the others none recorded.
    assert at[(1, "relative_foster_home")] == 1 and at[(1, "no_placement")] == 4
    # End of month 3 (14 Apr): A and B left to permanency; E in the group home since 1 Apr.
    assert at[(3, "left_permanency")] == 2 and at[(3, "group_home")] == 1
    # Month 5: C was watched 4 months only, so 4 children are known: A, B, D (in care until
    # 1 Jul), E.
    assert sum(n for (m, _), n in at.items() if m == 5) == 4
    assert traj.filter(pl.col("month") == 3)["share"].sum() == pytest.approx(1.0)


# --------------------------------------------------------------------------- the public rule

def test_public_counts_pass_only_while_each_is_zero_or_above_the_threshold():
    # 30 children, threshold 10, reported months 3, 6 and 12; the curve counts code 1.
    # 12 leave (code 1) in month 2, 12 in month 5, 3 in month 9, 3 stay.
    d = np.array([2] * 12 + [5] * 12 + [9] * 3 + [12] * 3)
    c = np.array([1] * 27 + [0] * 3)
    # Month 3: at risk 18 (30 - 12), left in months 1-2: 12, the curve's exits to month 3:
    # 12: all pass. Month 6: at risk 18 - 12 = 6: fails, so the curve stops at month 3.
    assert tic._passing_through(d, c, [3, 6, 12], 10, [1]) == 3
    # 60 children: 12 leave in month 2, 24 in month 5, 5 in month 9, 19 stay (12 watched to
    # month 12). Month 3: at risk 48, left 12, curve 12: pass. Month 6: at risk 24, left in
    # months 3-5: 24, curve 24: pass. Month 12: at risk 19, left in months 6-11: 5: fails,
    # so the curve stops at month 6.
    d2 = np.array([2] * 12 + [5] * 24 + [9] * 5 + [12] * 19)
    c2 = np.array([1] * 41 + [0] * 19)
    assert tic._passing_through(d2, c2, [3, 6, 12], 10, [1]) == 6
    # A cohort of 8 is hidden whole.
    assert tic._passing_through(np.array([4] * 8), np.array([1] * 8), [3], 10, [1]) == 0


@pytest.fixture(scope="module")
def sample(sample_db):
    store = open_store(sample_db, read_only=True)
    yield store


def _public(store: Store) -> privacy.Handle:
    return privacy.Handle(store, privacy.Viewer("stakeholder", "tests", (), "cli"))


def test_public_curves_are_whole_published_fiscal_years_and_pass_the_rules(sample):
    pub = _public(sample)
    cohorts = tic.public_cohorts(pub)
    assert cohorts and all(s.month == 10 and s.day == 1 and e == date(s.year + 1, 9, 30)
                           for s, e in cohorts)
    with pytest.raises(privacy.NotPublished):
        tic.survival(pub, date(2023, 1, 1), date(2023, 12, 31))
    with pytest.raises(privacy.NotPublished):  # staff only (docs/METHODS.md section 7)
        tic.placement_trajectory(pub, *cohorts[0])
    threshold = privacy.load_policy().threshold
    start, end = cohorts[0]
    settings = tic.load_settings()
    for by in tic.GROUPINGS:
        shown = tic.survival(pub, start, end, by=by)
        assert set(shown["exit_type"]) <= {"any_permanency"}
        assert set(shown["month"]) <= set(settings.public_months)
        # Every at-risk count shown is 0 or above the threshold.
        assert shown.filter(pl.col("at_risk").is_between(1, threshold)).is_empty()
        if by == "all":
            continue
        staff = tic.survival(sample, start, end, by=by, entries="p1")
        groups = set(staff["group_value"])
        for m in shown["month"].unique().to_list():
            hidden = groups - set(shown.filter(pl.col("month") == m)["group_value"])
            assert len(hidden) != 1, (by, m, hidden)
    # The public curve's month-12 point is the published P1 figure of the same cohort.
    agency = _curve(tic.survival(pub, start, end), "any_permanency")
    p1 = privacy.indicator_rows(sample, start, end, by=[], indicators=["P1"]).row(0, named=True)
    assert agency[12]["cumulative"] == pytest.approx(p1["numerator"] / p1["denominator"])
    assert agency[12]["at_risk"] <= p1["denominator"]


def test_a_public_curve_stops_where_a_count_would_be_small(tmp_path, monkeypatch):
    """The staff figures of one fiscal year, released by the rule: counts behind each
    reported month checked, the curve cut before the first that fails."""
    s = _store(tmp_path, as_of="2026-09-30")
    # FY2025 (Oct 2024 - Sep 2025), 45 children removed 2024-10-01, all in U1: 20 reunified
    # in month 2 (2024-11-15: 1 Nov <= 15 Nov < 1 Dec), 12 in month 8 (2025-05-15), 5 in
    # month 11 (2025-08-15), 8 still in care.
    for i in range(45):
        _child(s, f"C{i}")
        if i < 20:
            _episode(s, f"E{i}", f"C{i}", "2024-10-01", "2024-11-15", "reunification")
        elif i < 32:
            _episode(s, f"E{i}", f"C{i}", "2024-10-01", "2025-05-15", "reunification")
        elif i < 37:
            _episode(s, f"E{i}", f"C{i}", "2024-10-01", "2025-08-15", "reunification")
        else:
            _episode(s, f"E{i}", f"C{i}", "2024-10-01")
    cohort = (date(2024, 10, 1), date(2025, 9, 30))
    monkeypatch.setattr(tic, "public_cohorts", lambda handle: [cohort])
    monkeypatch.setattr(privacy, "indicator_rows", lambda *a, **k: pl.DataFrame(
        {"group_by": ["all"], "group_value": ["all"], "numerator": [32.0], "denominator": [45.0]}))
    shown = _curve(tic.survival(_public(s), *cohort), "any_permanency")
    # Followed 12 whole months (30 Sep 2025 + 12 months <= 1 Oct 2026): reported months 3,
    # 6, 9 and 12. Month 3: at risk 25, left in months 1-2: 20, reunified to month 3: 20 ->
    # shown. Month 6: at risk 25, nobody left -> shown. Month 9: at risk 13, left in months
    # 6-8: 12, reunified in 7-9: 12 -> shown. Month 12: at risk 8 (and 5 left in months
    # 9-11) -> the curve stops at month 9.
    assert sorted(shown) == [3, 6, 9]
    assert shown[9]["cumulative"] == pytest.approx(32 / 45)
    assert shown[3]["at_risk"] == 25


# --------------------------------------------------------------------------- the command line

def test_survival_command_prints_exactly_the_issue_columns(sample_db, capsys):
    code = cli.main(["survival", "--db", str(sample_db), "--start", "2023-10-01",
                     "--end", "2024-09-30", "--by", "region", "--format", "json"])
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    assert list(rows[0]) == ["group_by", "group_value", "month", "at_risk", "exit_type",
                             "cumulative", "ci_low", "ci_high"]
    assert {r["group_by"] for r in rows} == {"region"}
    assert {r["month"] for r in rows} == set(range(1, 37))
    assert {r["exit_type"] for r in rows} == {"reunification", "relative", "guardianship",
                                              "adoption", "other", "any_permanency", "any_exit"}
    code = cli.main(["survival", "--db", str(sample_db), "--start", "2023-10-01",
                     "--end", "2024-09-30"])
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "group_by,group_value,month,at_risk,exit_type,cumulative,ci_low,ci_high"
    assert len(out) == 1 + 36 * 7


def test_public_survival_command_refuses_a_period_that_is_not_a_published_fiscal_year(sample_db, capsys):
    code = cli.main(["survival", "--db", str(sample_db), "--start", "2023-01-01",
                     "--end", "2023-12-31", "--audience", "stakeholder"])
    assert code == 1
    assert "fiscal year" in capsys.readouterr().err


def test_the_yaml_puts_every_contract_reason_in_one_exit_type():
    from cqi_core.storage.contract import load_contract

    col = next(c for c in load_contract().tables["episodes"].columns if c.name == "discharge_reason")
    codes = set(col.codes) if isinstance(col.codes, (list, tuple, set)) else set(col.codes or {})
    settings = tic.load_settings()
    assert codes <= set(settings.reason_type)
    # The permanency types hold exactly the contract's permanency exits (as P1 counts them).
    perm = {r for t in settings.permanency for r in settings.exit_types[t]}
    assert perm == {"reunification", "relative", "adoption", "guardianship"}
