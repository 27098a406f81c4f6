"""Voices (feedback and staff survey) and the text helpers of `quotes`, on hand-built rows.

Units U1 (North), U2 (South). Feedback and survey answers of 2025:

    id  date        who      channel      unit  rating  text
    F1  2025-01-10  youth    survey       U1    5       The bus pass helped me get to school.
    F2  2025-02-10  youth    focus_group  U1    2       Nobody told me about the bus schedule.
    F3  2025-02-20  parent   survey       U2    4       My caseworker called back every time.
    F4  2025-05-05  parent   complaint    U2    -       I waited weeks for a call at 612-555-0199.
    S1  2025-04-15  staff    (survey)     U1    3       Caseloads are too high to visit everyone.
    S2  2025-04-15  staff    (survey)     U2    4       (no comment: not a text)

Themes are coded by hand (not by the codebook's patterns): transportation on F1, F2;
communication on F2, F3, F4; workforce on S1.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from cqi_core import open_store
from cqi_core.analysis import quotes
from cqi_core.analysis import voices
from cqi_core.indicators import compute
from cqi_core.analysis.qualitative import text_for_audience

YEAR = (date(2025, 1, 1), date(2025, 12, 31))
FEEDBACK = [("F1", "2025-01-10", "youth", "survey", "U1", 5, "The bus pass helped me get to school."),
            ("F2", "2025-02-10", "youth", "focus_group", "U1", 2, "Nobody told me about the bus schedule."),
            ("F3", "2025-02-20", "parent", "survey", "U2", 4, "My caseworker called back every time."),
            ("F4", "2025-05-05", "parent", "complaint", "U2", None, "I waited weeks for a call at 612-555-0199.")]
CODES = {"F1": ["transportation"], "F2": ["transportation", "communication"], "F3": ["communication"],
         "F4": ["communication"], "S1": ["workforce"]}
NAMES = {"transportation": "Transportation", "communication": "Communication", "workforce": "Workforce"}


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "voices.duckdb")
    cur = s.cursor()
    cur.execute("INSERT INTO units VALUES ('U1', 'North One', 'North', 1), ('U2', 'South One', 'South', 1)")
    for f in FEEDBACK:
        cur.execute("INSERT INTO feedback (feedback_id, received_date, source_group, channel, unit_id, "
                    "rating, text, _batch_id) VALUES (?, CAST(? AS DATE), ?, ?, ?, ?, ?, 1)", list(f))
    cur.execute("INSERT INTO staff_survey (response_id, unit_id, survey_date, question, score, comment, "
                "_batch_id) VALUES ('S1', 'U1', DATE '2025-04-15', 'Workload', 3, "
                "'Caseloads are too high to visit everyone.', 1), "
                "('S2', 'U2', DATE '2025-04-15', 'Workload', 4, NULL, 1)")
    cur.close()
    yield s
    s.close()


def _coded(frame: pl.DataFrame) -> pl.DataFrame:
    codes = pl.DataFrame([(k, c) for k, cs in CODES.items() for c in cs], schema=["source_id", "code"], orient="row")
    return frame.join(codes, on="source_id")


def test_voices_are_every_text_newest_first_with_a_source_key(store):
    v = voices.voices(store, *YEAR)
    assert v["source_id"].to_list() == ["F4", "S1", "F3", "F2", "F1"]       # S2 has no comment
    assert v.filter(pl.col("source_id") == "S1")["source_key"].item() == "staff_survey:S1"
    assert voices.filter_voices(v, source_groups=["youth"])["source_id"].to_list() == ["F2", "F1"]
    assert voices.filter_voices(v, start=date(2025, 3, 1))["source_id"].to_list() == ["F4", "S1"]
    assert voices.filter_voices(v, source_types=["staff_survey"], regions=["North"]).height == 1


def test_rating_distribution_and_f1_for_a_selection(store):
    v = voices.voices(store, *YEAR)
    dist = voices.rating_distribution(v, "source_group")
    youth = dist.filter(pl.col("group_value") == "youth")
    # Youth: one 2 and one 5 → 50% each; every rating 1-5 has a row. Staff scores are not F1.
    assert youth.select("rating", "n").rows() == [(1, 0), (2, 1), (3, 0), (4, 0), (5, 1)]
    assert youth.filter(pl.col("n") > 0)["share"].to_list() == [0.5, 0.5]
    assert set(dist["group_value"]) == {"youth", "parent"}
    assert youth["group_label"][0] == "Youth"
    # F1: F1 (5), F2 (2), F3 (4) rated; F4 not → 2 favourable of 3.
    f = voices.favourable(v).row(0, named=True)
    assert (f["favourable"], f["rated"]) == (2, 3)
    f1 = compute(store, *YEAR, by=[], indicators=["F1"]).row(0, named=True)
    assert (f1["numerator"], f1["denominator"]) == (2, 3)


def test_f1_of_the_whole_agency_agrees_with_the_indicator_engine_on_the_sample(sample_db):
    s = open_store(sample_db)
    period = (date(2024, 10, 1), date(2025, 9, 30))
    f = voices.favourable(voices.voices(s, *period)).row(0, named=True)
    f1 = compute(s, *period, by=[], indicators=["F1"]).row(0, named=True)
    assert (f["favourable"], f["rated"]) == (f1["numerator"], f1["denominator"])


def test_theme_presence_counts_sources_out_of_every_source_with_text(store):
    v = voices.voices(store, *YEAR)
    coded = _coded(v)
    every = voices.theme_presence(coded, v, "all", NAMES)
    # 5 sources: communication 3 (F2, F3, F4), transportation 2, workforce 1; largest first.
    assert every.select("code", "sources", "total_sources").rows() == [
        ("communication", 3, 5), ("transportation", 2, 5), ("workforce", 1, 5)]
    assert every["theme"][0] == "Communication"
    by_who = {(r["group_value"], r["code"]): r["share"]
              for r in voices.theme_presence(coded, v, "source_group").iter_rows(named=True)}
    # Youth (F1, F2): transportation 2 of 2, communication 1 of 2; parents (F3, F4): 2 of 2.
    assert by_who[("youth", "transportation")] == 1.0 and by_who[("youth", "communication")] == 0.5
    assert by_who[("parent", "communication")] == 1.0 and by_who[("staff", "workforce")] == 1.0


def test_trends_have_every_quarter_with_zero_where_nothing_was_heard(store):
    v = voices.voices(store, *YEAR)
    fav = voices.favourable_trend(v, date(2025, 1, 1), date(2025, 9, 30))
    # Jan-Mar: F1, F2, F3 rated, 2 favourable; Apr-Jun: F4 has no rating; Jul-Sep: nothing.
    assert fav.select("label", "n").rows() == [("Jan–Mar 2025", 3), ("Apr–Jun 2025", 0), ("Jul–Sep 2025", 0)]
    assert fav["share"][0] == pytest.approx(2 / 3)
    themes = voices.theme_trend(_coded(v), v, ["communication"], date(2025, 1, 1), date(2025, 6, 30), NAMES)
    # Jan-Mar: 3 sources (F1-F3), communication on F2, F3; Apr-Jun: 2 sources (F4, S1), on F4.
    assert themes.select("share", "n").rows() == [(pytest.approx(2 / 3), 3), (0.5, 2)]


def test_what_we_heard_lists_top_themes_with_quotes_the_reader_may_see(store):
    v = voices.voices(store, *YEAR)
    coded = voices.selection_coded(_coded(v), v)
    seen = text_for_audience(coded, "supervisor", store)
    heard = voices.what_we_heard(coded, v, seen, NAMES, top=2, quotes=1)
    assert heard.select("rank", "code", "sources").rows() == [(1, "communication", 3), (2, "transportation", 2)]
    # All texts are short of 20 words, so the newest: F4 (redacted) and F2.
    assert heard["quotes"].to_list() == [["I waited weeks for a call at [phone]."],
                                         ["Nobody told me about the bus schedule."]]
    md = voices.what_we_heard_markdown(heard, "What we heard", "2025: 5 comments.")
    assert "1. **Communication**: raised by 60% of sources (3 of 5)." in md
    assert "   > I waited weeks for a call at [phone]." in md and "612-555-0199" not in md
    csv = voices.what_we_heard_csv(heard).decode()
    assert csv.splitlines()[0] == "rank,code,theme,sources,total_sources,share,quotes"


# ---- quotes -------------------------------------------------------------------------------

TEXTS = pl.DataFrame({"text": ["The Bus was late again", "bus pass a.b", "no ride", None],
                      "date": [date(2025, 1, d) for d in (1, 2, 3, 4)], "g": ["a", "a", "b", "b"]})


def test_search_needs_every_word_ignores_case_and_reads_words_literally():
    assert quotes.search(TEXTS, "bus")["text"].to_list() == ["The Bus was late again", "bus pass a.b"]
    assert quotes.search(TEXTS, "BUS late")["text"].to_list() == ["The Bus was late again"]
    assert quotes.search(TEXTS, "a.b")["text"].to_list() == ["bus pass a.b"]   # not a pattern
    assert quotes.search(TEXTS, "  ").height == 4


def test_pages_of_a_frame():
    frame = pl.DataFrame({"i": range(45)})
    assert quotes.page_count(45, 20) == 3 and quotes.page_count(0, 20) == 1
    assert quotes.page_of(frame, 3, 20)["i"].to_list() == list(range(40, 45))
    assert quotes.page_of(frame, 9, 20)["i"].to_list() == list(range(40, 45))   # past the end
    assert quotes.page_of(frame, 0, 20)["i"][0] == 0


def test_exemplars_prefer_readable_length_then_the_newest_text_once():
    words = " ".join(["word"] * 25)
    frame = pl.DataFrame({"text": [words, "short and newest", "short and newest", "short"],
                          "date": [date(2025, 1, 1), date(2025, 3, 1), date(2025, 3, 1), date(2025, 2, 1)],
                          "g": ["a", "a", "b", "b"]})
    got = quotes.exemplars(frame, ["g"], per_group=2)
    assert got.filter(pl.col("g") == "a")["text"].to_list() == [words, "short and newest"]
    assert got.filter(pl.col("g") == "b")["text"].to_list() == ["short and newest", "short"]


def test_pattern_counts_match_whole_words_and_explain_a_pattern_that_cannot_be_used():
    texts = pl.DataFrame({"excerpt_id": ["a", "b", "c"],
                          "text": ["The BUS was late", "a busy week", "bus pass and rides"]})
    got = quotes.pattern_counts(texts, ["bus", "rides?", "(", ""])
    rows = {r["pattern"]: (r["excerpts"], r["problem"]) for r in got.iter_rows(named=True)}
    assert rows["bus"] == (2, None)                  # "busy" is another word
    assert rows["rides?"] == (1, None)
    assert rows["("][0] is None and "compile" in rows["("][1]
    assert "" not in rows
