"""The youth view: every word reads at grade 8 or below without jargon, its numbers are the
engine's released as for young people, and a hidden number stays hidden.

Figures for the sample agency are read from the indicator engine and released with
`privacy.release_indicator_rows` here, then turned into words by the rules written out in
each test ("about k out of 100", k rounded half up, on the one scale of every youth
picture), so the test does not ask the module what it should have said.
"""

from __future__ import annotations

import csv
import itertools
import math
import re
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from public_scan import small_counts
import yaml

from cqi_core import open_store
from cqi_core import privacy
from cqi_core.analysis import qualitative
from cqi_core.analysis import youth
from cqi_core.errors import CQIError
from cqi_core.indicators import compute, load_config
from cqi_core.methods.readability import check_text
from cqi_core.indicators.scorecard import latest_complete_period, period_ending
from cqi_core.charts.youth import ICON_PATHS, fact_pictogram, pictogram_chart, theme_pictogram

ROOT = Path(__file__).resolve().parents[2]
YOUTH_YAML = ROOT / "cqi_core" / "analysis" / "youth.yaml"
CODEBOOK_YAML = ROOT / "cqi_core" / "analysis" / "qualitative" / "codebook.yaml"
TEXT = youth.load_youth_text()
AS_OF = date(2026, 9, 30)  # the sample agency's as-of date
REGIONS = sorted({row["region"] for row in csv.DictReader(
    (ROOT / "data" / "sample" / "units.csv").open(encoding="utf-8"))})
CONFIG_KEYS = {"id", "shows", "per", "icon"}
"""youth.yaml keys that are settings, not words."""

def _half_up(x: float) -> int:
    return math.floor(round(x, 9) + 0.5)


def _share_by_hand(value: float) -> str:
    """The rule of youth.yaml, written out: every share out of 100 (pictures.out_of)."""
    if value <= 0:
        return "0 out of 100"
    if value >= 1:
        return "100 out of 100"
    k = _half_up(value * 100)
    return "fewer than 1 in 100" if k < 1 else "more than 99 out of 100" if k > 99 \
        else f"about {k} out of 100"


def test_small_counts_tells_shares_from_counts():
    assert small_counts("About 4 out of 10 went home. It was about 4 times for every "
                        "100 years, 16 times for every 10 years, fewer than 1 in 100.") == []
    assert small_counts("We heard from 7 young people.") == ["7"]
    assert small_counts("From October 2024 to September 2025, 4.5 moves, 1,000 days.") == []


# ---- the words ---------------------------------------------------------------------------

def test_every_measure_is_an_indicator_of_the_catalog_with_a_fitting_kind():
    from cqi_core.indicators.catalog import load_catalog
    catalog = load_catalog()
    assert [m.id for m in TEXT.measures] == ["P1", "V1", "P4", "P5", "S1"]
    for m in TEXT.measures:
        unit = catalog.entry(m.id).unit
        assert (m.shows == "share") == (unit == "percent"), m.id
        assert m.icon in ICON_PATHS


def test_every_theme_of_the_codebook_has_a_plain_name():
    codes = [t["code"] for t in yaml.safe_load(CODEBOOK_YAML.read_text(encoding="utf-8"))["themes"]]
    assert sorted(TEXT.themes) == sorted(codes)


def _strings(node, path=""):
    if isinstance(node, dict):
        for k, v in node.items():
            if k not in CONFIG_KEYS:
                yield from _strings(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _strings(v, f"{path}[{i}]")
    elif isinstance(node, str):
        yield path, " ".join(node.split())


def _variants() -> dict[str, list[str]]:
    """Every value a placeholder can take: all share and amount phrases the code makes."""
    shares = sorted({youth.share_words(i / 2000, TEXT)[0] for i in range(2001)})
    amounts = sorted({youth.amount_words(i / 4, TEXT)[0] for i in range(0, 401)})
    return {"share": shares, "amount": amounts, "start": ["September 2026"],
            "end": ["September 2026"], "theme": list(TEXT.themes.values()),
            "total": ["11", "1,234"], "area": REGIONS,
            "icons": [m.icons for m in TEXT.measures] + [TEXT["voices"]["icons"]],
            "k": ["4"], "base": ["10", "100"], "most": ["9", "99"], "n": ["16"],
            "per": ["10", "100"]}


def _filled(template: str) -> list[str]:
    names = sorted(set(re.findall(r"\{([a-z_]*)\}", template)))
    if not names:
        return [template]
    options = _variants()
    return [youth.fill(template, **dict(zip(names, combo)))
            for combo in itertools.product(*(options[n] for n in names))]


def test_every_string_in_youth_yaml_reads_at_grade_8_or_below_without_jargon():
    raw = yaml.safe_load(YOUTH_YAML.read_text(encoding="utf-8"))
    glossary = raw.pop("glossary")
    problems, checked = [], 0
    for path, template in _strings(raw):
        if path.endswith(".icons"):
            continue  # a plural noun, read inside the picture's sentence (checked there)
        for text in _filled(template):
            checked += 1
            check = check_text(text)
            if not check.ok:
                problems.append(f"{path}: {text!r}: {'; '.join(check.problems())}")
    for entry in glossary:  # shown as one line: "Word: what it means."
        check = check_text(f"{entry['word']}: {entry['means']}")
        checked += 1
        if not check.ok:
            problems.append(f"glossary {entry['word']}: {'; '.join(check.problems())}")
    assert checked > 1000  # every share phrase in every sentence that takes one
    assert not problems, "\n".join(problems)


def test_every_plain_theme_name_reads_on_its_own_as_a_heading():
    for label in TEXT.themes.values():
        heading = label[:1].upper() + label[1:]
        assert check_text(heading).ok, (heading, check_text(heading).problems())


@pytest.mark.parametrize("value, expected", [
    (0.0, ("0 out of 100", 0, 100)),
    (0.004, ("fewer than 1 in 100", 0, 100)),     # 0.4 in 100 rounds to 0
    (0.005, ("about 1 out of 100", 1, 100)),      # 0.5 rounds half up to 1
    (0.0567, ("about 6 out of 100", 6, 100)),
    (0.149, ("about 15 out of 100", 15, 100)),    # 14.9 rounds to 15
    (0.135, ("about 14 out of 100", 14, 100)),    # 13.5 (13.4999… in binary) still rounds up
    (0.4455, ("about 45 out of 100", 45, 100)),   # 44.55 rounds to 45
    (0.93, ("about 93 out of 100", 93, 100)),
    (0.994, ("about 99 out of 100", 99, 100)),    # 99.4 rounds to 99
    (0.996, ("more than 99 out of 100", 99, 100)),  # 99.6 rounds to 100, yet not all
    (1.0, ("100 out of 100", 100, 100)),
])
def test_shares_read_as_n_out_of_100_the_scale_of_every_picture(value, expected):
    assert TEXT.out_of == 100  # pictures.out_of in youth.yaml
    assert youth.share_words(value, TEXT) == expected


@pytest.mark.parametrize("value, expected", [
    (0.0567, ("about 1 out of 10", 1, 10)),       # 0.567 in 10 rounds to 1
    (0.04, ("fewer than 1 in 10", 0, 10)),        # 0.4 in 10 rounds to 0
    (0.4455, ("about 4 out of 10", 4, 10)),       # 4.455 rounds to 4
    (0.96, ("more than 9 out of 10", 9, 10)),     # 9.6 rounds to 10, yet not all
    (1.0, ("10 out of 10", 10, 10)),
])
def test_a_scale_of_10_says_every_share_out_of_10(value, expected):
    assert youth.share_words(value, TEXT, base=10) == expected


@pytest.mark.parametrize("times, expected", [
    (0.0, ("0 times", 0)), (0.49, ("less than 1 time", 0)), (0.5, ("about 1 time", 1)),
    (1.49, ("about 1 time", 1)), (15.6, ("about 16 times", 16)),
])
def test_how_often_reads_in_times(times, expected):
    assert youth.amount_words(times, TEXT) == expected


def test_rates_per_days_become_times_per_years_in_care():
    # 4.48 moves per 1,000 days × 365 days × 10 years / 1,000 = 16.352 per 10 years
    assert youth.per_years(4.48, "per_1000_days", 10) == pytest.approx(16.352)
    # 9.07 per 100,000 days × 365 × 100 / 100,000 = 3.31055 per 100 years
    assert youth.per_years(9.07, "per_100000_days", 100) == pytest.approx(3.31055)


def test_fill_capitalises_a_value_only_where_it_starts_a_sentence():
    assert youth.fill("{share} went home.", share="about 4 out of 10") == "About 4 out of 10 went home."
    assert youth.fill("Within a year, {share} went home.", share="about 4 out of 10") \
        == "Within a year, about 4 out of 10 went home."
    assert youth.fill("Home. {x} left.", x="some") == "Home. Some left."


def test_a_youth_file_with_a_wrong_kind_or_placeholder_is_refused(tmp_path):
    raw = yaml.safe_load(YOUTH_YAML.read_text(encoding="utf-8"))
    bad = tmp_path / "youth.yaml"
    raw["measures"][0]["shows"] = "rate"  # P1 is a percent
    bad.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(CQIError, match="shows must be share"):
        youth.load_youth_text(bad)
    raw = yaml.safe_load(YOUTH_YAML.read_text(encoding="utf-8"))
    raw["measures"][1]["sentence"] = "In {amount} months a caseworker came."
    bad.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(CQIError, match="unknown placeholder"):
        youth.load_youth_text(bad)
    raw = yaml.safe_load(YOUTH_YAML.read_text(encoding="utf-8"))
    del raw["home"]["privacy"]
    bad.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(CQIError, match="home.privacy needs a text"):
        youth.load_youth_text(bad)


# ---- the numbers -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def store(sample_db):
    s = open_store(sample_db, read_only=True)
    yield s
    s.close()


@pytest.fixture(scope="module")
def facts(store) -> dict[str | None, tuple[youth.YouthFact, ...]]:
    """The cards for the whole agency (None) and each area, from a plain (analyst) store."""
    return {area: youth.youth_facts(store, area, as_of=AS_OF) for area in [None, *REGIONS]}


def _as_youth(store):
    return privacy.Handle(store, privacy.Viewer("youth", "test", (), "pinned"))


def _engine_rows(store) -> dict[tuple, dict]:
    """The engine's rows for each measure's latest complete 12 months and the 12 before,
    by region, released for youth: (id, period start, group_by, group_value) -> row."""
    seen, config = {}, load_config()
    for m in TEXT.measures:
        cur = latest_complete_period(config[m.id].followup, AS_OF)
        for start, end in (cur, period_ending(cur[0] - timedelta(days=1))):
            rows = compute(store, start, end, by=["region"], indicators=[m.id], as_of=AS_OF)
            rows = privacy.release_indicator_rows(rows, _as_youth(store).viewer, store)
            for r in rows.iter_rows(named=True):
                seen[(m.id, start, r["group_by"], r["group_value"])] = r
    return seen


def _expected_words(m, row) -> str:
    if row.get("suppressed"):
        return TEXT.hidden
    v = row["value"]
    if m.shows == "share":
        return youth.fill(m.sentence, share=_share_by_hand(v))
    per = {"P5": 1_000, "S1": 100_000}[m.id]
    times = v / per * 365 * m.per
    n = _half_up(times)
    amount = "0 times" if times <= 0 else "less than 1 time" if n == 0 \
        else "about 1 time" if n == 1 else f"about {n} times"
    return youth.fill(m.sentence, amount=amount)


def test_each_card_says_the_released_engine_figure_in_words(store, facts):
    rows = _engine_rows(store)
    config = load_config()
    hidden_seen = 0
    for area in [None, *REGIONS]:
        group = ("region", area) if area else ("all", "all")
        cards = {f.id: f for f in facts[area]}
        for m in TEXT.measures:
            start = latest_complete_period(config[m.id].followup, AS_OF)[0]
            row = rows[(m.id, start, *group)]
            fact = cards[m.id]
            assert fact.sentence == _expected_words(m, row), (area, m.id)
            assert fact.hidden == bool(row.get("suppressed"))
            hidden_seen += fact.hidden
    assert hidden_seen > 0  # the sample has small regional counts, so the hidden path ran


def test_the_agency_cards_for_the_sample(facts):
    facts = {f.id: f for f in facts[None]}
    # P1, Oct 2024 - Sep 2025: 229 of 514 = 0.4455 -> 44.55 in 100 -> "about 45 out of 100"
    assert "about 45 out of 100 went home" in facts["P1"].sentence
    assert (facts["P1"].filled, facts["P1"].out_of) == (45, 100)
    # P4: 23 of 406 = 0.0567 -> 5.67 in 100 -> 6
    assert "about 6 out of 100 had to come back" in facts["P4"].sentence
    assert (facts["P4"].filled, facts["P4"].out_of) == (6, 100)
    # V1: 9,974 of 10,728 months = 0.9297 -> 92.97 in 100 -> 93
    assert "in about 93 out of 100 months" in facts["V1"].sentence
    assert (facts["V1"].filled, facts["V1"].out_of) == (93, 100)
    # P5: 380 moves / 88,862 days × 3,650 = 15.61 -> "about 16 times for every 10 years".
    # A rate for every 10 years is not a part of 100 drawings, and 16 houses would read as
    # 16 young people or 16 of 100: the picture says it in words instead.
    assert "about 16 times for every 10 years" in facts["P5"].sentence
    assert (facts["P5"].filled, facts["P5"].out_of) == (None, None)
    assert facts["P5"].chart_words == "About 16 times for every 10 years in care"
    assert facts["P5"].how_to_read == ("This number is in words, not in a picture. A picture "
                                       "of 100 cannot show it in a fair way.")
    assert "house" not in facts["P5"].how_to_read
    assert facts["P1"].period == "Time: from October 2024 to September 2025."


def test_every_picture_of_the_home_page_has_the_same_number_of_icons(facts):
    # one scale a page: each card is 100 icons, or words (hidden, missing or a rate that is
    # not for every 100 years); never 10 on one card and 100 on the next
    for area in [None, *REGIONS]:
        scales = {f.out_of for f in facts[area] if f.filled is not None}
        assert scales <= {100}, (area, scales)
        for f in facts[area]:
            assert (f.filled is None) == (f.out_of is None)
            assert (f.filled is None) == bool(f.chart_words), f.id
    # S1 is for every 100 years in care: drawn on the 100, each person one year in care
    s1 = next(f for f in facts[None] if f.id == "S1")
    times = re.search(r"about (\d+) times? for every 100 years", s1.sentence)
    assert times, s1.sentence
    assert (s1.filled, s1.out_of) == (int(times.group(1)), 100)  # N times: N of 100 filled
    assert "for a whole year" in s1.how_to_read


def test_change_words_say_up_or_down_only_when_the_change_is_more_than_chance(facts):
    facts = {f.id: f for f in facts[None]}
    change = TEXT["change"]
    # P1 (higher is better): 229/514 = 0.4455 now, 202/576 = 0.3507 before. Newcombe's
    # interval of the difference, d ± sqrt of the Wilson distances: 0.0948 with
    # (0.037, 0.152), which leaves out 0: a real rise.
    assert facts["P1"].change == change["up_good"]
    # P4 (lower is better): 23/406 = 0.0567 now, 16/366 = 0.0437 before (6 and 4 in 100).
    # Wilson 23/406 = (0.0380, 0.0836), 16/366 = (0.0271, 0.0698); d = 0.0129,
    # low = 0.0129 - sqrt((0.0567 - 0.0380)² + (0.0698 - 0.0437)²) = 0.0129 - 0.0321 < 0:
    # the interval (-0.019, 0.045) holds 0, so the rise may be chance. The deck says the same.
    assert facts["P4"].change == change["same"]
    # V1: 9,974/10,728 = 0.9297 and 10,222/10,933 = 0.9350: interval (-0.012, 0.001) holds 0
    assert facts["V1"].change == change["same"]
    # P5: 380 moves / 88,862 days and 364 / 81,508: rate ratio 0.958, its exact interval
    # (380 of 744 events, given the days) holds 1
    assert facts["P5"].change == change["same"]


def test_hidden_figures_give_the_hidden_sentence_and_no_digit(facts):
    hidden = [f for area in REGIONS for f in facts[area] if f.hidden]
    assert hidden
    for f in hidden:
        assert f.sentence == TEXT.hidden
        assert f.filled is None and f.out_of is None and f.change == ""
        assert not re.search(r"\d", f.sentence + f.description + f.chart_words)


def test_every_card_for_the_sample_reads_at_grade_8_and_has_no_count(facts):
    for area in [None, *REGIONS]:
        for f in facts[area]:
            for words in (f.name, f.question, f.period, f.sentence, f.change, f.what_we_count,
                          f.how_to_read, f.description, f.chart_words):
                if words:
                    assert check_text(words).ok, (words, check_text(words).problems())
                    assert small_counts(words) == [], words


def test_staff_previewing_the_youth_view_see_the_youth_numbers(store, facts):
    # `facts` come from a plain store, which answers as an analyst
    assert facts[REGIONS[0]] == youth.youth_facts(_as_youth(store), REGIONS[0], as_of=AS_OF)


def test_an_unknown_area_is_refused(store):
    with pytest.raises(CQIError, match="no area"):
        youth.youth_facts(store, "Atlantis", as_of=AS_OF)


# ---- what young people told us -----------------------------------------------------------

def _youth_comments_by_hand(store, start: date, end: date) -> tuple[int, dict[str, int]]:
    """Youth feedback with text in [start, end], and per theme the feedback records that
    carry it (counted from the feedback table and the coded excerpts)."""
    ids = store.query("SELECT feedback_id FROM feedback WHERE source_group = 'youth' AND "
                      "received_date BETWEEN $s AND $e AND trim(coalesce(text, '')) <> ''",
                      {"s": start, "e": end})["feedback_id"].to_list()
    coded = qualitative.coded_excerpts(store, start, end, ["feedback"])
    coded = coded.filter(pl.col("source_id").is_in(ids))
    per_code = dict(coded.group_by("code").agg(pl.col("source_id").n_unique()).iter_rows())
    return len(ids), per_code


def test_themes_are_shares_of_youth_comments_and_small_ones_lose_their_number(store):
    # The publication's latest 12 months complete on 30 September 2025 (its periods are the
    # 12 months to each quarter end): October 2024 to September 2025.
    start, end = date(2024, 10, 1), date(2025, 9, 30)
    assert (start, end) in privacy.publication(store).periods()
    total, per_code = _youth_comments_by_hand(store, start, end)
    heard = youth.youth_voices(store, as_of=end)
    assert heard.period == "These comments are from October 2024 to September 2025."
    assert total > 10
    assert heard.total == f"Young people shared {total:,} comments with us."
    shown = {t.code: t for t in heard.themes}
    big = sorted((c for c, n in per_code.items() if n > 10),
                 key=lambda c: (-per_code[c], c))
    # A theme over 10 may still be hidden, as a partner of a small one (complementary
    # suppression in the publication): it is then named without a number, never shown.
    published = qualitative.themes(_as_youth(store), start, end, "source_group").filter(
        pl.col("group_value") == "youth")
    hidden = set(published.filter(pl.col("sources").is_null())["code"].to_list())
    assert hidden >= {c for c, n in per_code.items() if n <= 10}
    assert len(shown) >= 3 and list(shown) == [c for c in big if c not in hidden][:6]
    assert not hidden & set(shown)
    for code, theme in shown.items():
        phrase = _share_by_hand(per_code[code] / total)
        assert theme.sentence == youth.fill(TEXT["voices"]["theme"], theme=TEXT.themes[code],
                                            share=phrase)
        # every theme on the page is 100 bubbles, and the caption says what they stand for:
        # all the comments, never "each bubble is one comment" (there are more than 100)
        assert (theme.out_of, theme.filled) == (100, _half_up(per_code[code] / total * 100))
        assert theme.how_to_read == (f"The 100 speech bubbles stand for all {total:,} "
                                     "comments. The filled bubbles stand for the comments "
                                     f"about {TEXT.themes[code]}.")
    small = {TEXT.themes[c] for c, n in per_code.items() if n <= 10}
    assert small <= set(heard.also)  # named without a number
    assert heard.also_title == TEXT["voices"]["also"]
    for words in (heard.period, heard.total, heard.also_title, *heard.also,
                  *(t.sentence for t in heard.themes), *(t.description for t in heard.themes)):
        assert check_text(words).ok, (words, check_text(words).problems())
        assert small_counts(words) == [], words


def test_a_year_of_comments_names_every_theme_without_a_number(store):
    # the publication's latest 12 months on the as-of date: October 2025 to September 2026
    total, per_code = _youth_comments_by_hand(store, date(2025, 10, 1), date(2026, 9, 30))
    assert total > 10 and max(per_code.values()) <= 10  # every theme under 11 comments
    heard = youth.youth_voices(store, as_of=AS_OF)
    assert heard.period == "These comments are from October 2025 to September 2026."
    assert heard.total == f"Young people shared {total:,} comments with us."
    assert heard.themes == ()
    assert heard.also_title == TEXT["voices"]["names_only"]
    assert set(heard.also) == {TEXT.themes[c] for c in per_code}


def test_comments_of_a_time_that_is_not_published_are_not_counted(store):
    # November 2019 had 1 to 10 youth comments; no published period is complete by then
    # (the first is the 12 months to December 2022), so nothing is counted, not even a total.
    total, _ = _youth_comments_by_hand(store, date(2019, 11, 1), date(2019, 11, 30))
    assert 1 <= total <= 10
    heard = youth.youth_voices(store, 1, as_of=date(2019, 11, 30))
    assert heard.total == TEXT["voices"]["none"]
    assert heard.themes == () and heard.also == () and heard.quotes == ()
    assert not re.search(r"\d", heard.period + heard.total)


def test_only_quotes_approved_for_sharing_are_shown(sample_db_copy):
    store = open_store(sample_db_copy)
    try:
        # the 12 months to September 2025, a published year whose education theme is shown
        year = date(2025, 9, 30)
        assert youth.youth_voices(store, as_of=year).quotes == ()
        coded = qualitative.coded_excerpts(store, date(2024, 10, 1), year, ["feedback"])
        pick = (coded.filter((pl.col("source_group") == "youth") & (pl.col("code") == "education"))
                .sort("excerpt_id").row(0, named=True))
        qualitative.approve_for_sharing(store, pick["excerpt_id"], pick["text_hash"], "test analyst")
        heard = youth.youth_voices(store, as_of=year)
        assert heard.quotes == (qualitative.redact(pick["text"],
                                                   qualitative.sharing.agency_words(store)),)
    finally:
        store.close()


# ---- the pictures ------------------------------------------------------------------------

def _layers(fig) -> dict[str, list[dict]]:
    spec = fig.chart.to_dict()
    data = next(iter(spec["datasets"].values()))
    return {s: [d for d in data if d["state"] == s] for s in ("filled", "empty")}


def test_a_share_picture_fills_k_of_10_and_outlines_the_rest():
    fig = pictogram_chart(4, 10, "person", "Title", "How to read.", "Four of ten.")
    icons = _layers(fig)
    assert (len(icons["filled"]), len(icons["empty"])) == (4, 6)
    spec = fig.chart.to_dict()
    marks = [layer["mark"] for layer in spec["layer"]]
    assert {m["fill"] for m in marks} == {"#0072B2", "#ffffff"}  # solid and outline
    assert all(m["shape"] == ICON_PATHS["person"] for m in marks)
    assert spec["description"] == "Four of ten." and fig.how_to_read == "How to read."
    values = [v for d in icons["filled"] + icons["empty"] for v in (d["x"], d["y"])]
    assert all(v % 1 == 0.5 for v in values)  # half steps: no small whole number in the data


def test_a_picture_of_100_and_no_picture_of_one_icon_per_time():
    grid = _layers(pictogram_chart(6, 100, "person", "T", "H", "D"))
    assert (len(grid["filled"]), len(grid["empty"])) == (6, 94)
    with pytest.raises(ValueError, match="out_of must be 10 or 100"):
        pictogram_chart(16, None, "home", "T", "H", "D")  # 16 houses for a rate: refused
    with pytest.raises(ValueError, match="filled must be 0 to 100"):
        pictogram_chart(156, 100, "home", "T", "H", "D")


def test_a_rate_in_words_is_a_box_as_tall_as_the_icons_beside_it(facts):
    p5 = next(f for f in facts[None] if f.id == "P5")
    spec = fact_pictogram(p5, 100).chart.to_dict()
    assert spec["mark"]["type"] == "text"
    words = next(iter(spec["datasets"].values()))[0]["words"]
    assert words.replace("\n", " ") == "About 16 times for every 10 years in care"
    assert all(len(line) <= 22 for line in words.split("\n"))  # wrapped to fit 320 px
    # a grid of 100 is ten rows of 32 px: 320 px, the same as the box
    grid = fact_pictogram(next(f for f in facts[None] if f.id == "P1"), 100).chart.to_dict()
    assert spec["height"] == grid["height"] == 320


def test_a_hidden_number_draws_words_not_icons(facts):
    fact = next(f for area in REGIONS for f in facts[area] if f.hidden)
    spec = fact_pictogram(fact).chart.to_dict()
    assert spec["mark"]["type"] == "text"
    [row] = next(iter(spec["datasets"].values()))
    assert row["words"].replace("\n", " ") == TEXT.chart_hidden


def test_every_fact_and_theme_picture_has_a_title_and_words(store, facts):
    heard = youth.youth_voices(store, as_of=date(2025, 9, 30))  # a year with themes shown
    assert heard.themes
    figures = [fact_pictogram(f) for area in facts for f in facts[area]]
    figures += [theme_pictogram(t) for t in heard.themes]
    for fig in figures:
        assert fig.title and fig.description and fig.how_to_read
        assert fig.chart.to_dict()["title"]["text"]


def test_an_unknown_icon_is_refused():
    with pytest.raises(ValueError, match="Unknown icon"):
        pictogram_chart(1, 10, "star", "T", "H", "D")
