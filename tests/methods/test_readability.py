"""The Flesch–Kincaid grade level and the jargon check behind the youth view's promise.

Counting follows Rudolf Flesch, How to Write Plain English (1979), chapter 2: figures are
one-syllable words, and a period, question mark, exclamation point, colon, semicolon or
dash ends a sentence. Expected counts are counted by hand (shown beside each case) or taken
from a published worked example: Wikipedia, "Flesch–Kincaid readability tests" (section "Flesch–Kincaid grade
level"), which states that "The Australian platypus is seemingly a hybrid of a mammal and
reptilian creature" is a grade 11.3 with 24 syllables and 13 words, that the lowest grade
in theory is −3.40, and that Dr. Seuss's Green Eggs and Ham, at 5.7 words per sentence and
1.02 syllables per word, is a grade −1.3.
"""

from __future__ import annotations

import pytest

from cqi_core.methods import readability as r
from cqi_core.errors import CQIError


@pytest.mark.parametrize("word, expected", [
    ("care", 1),          # a-e: two vowel groups, silent final e
    ("home", 1),
    ("whole", 1),         # -le after a vowel: the e is silent
    ("people", 2),        # peo-ple: -le after a consonant is spoken
    ("little", 2),
    ("tables", 2),        # ta-bles: -les after a consonant keeps its syllable
    ("homes", 1),         # silent -es
    ("moves", 1),
    ("places", 2),        # pla-ces: -es after c is spoken
    ("changes", 2),       # chan-ges
    ("boxes", 2),         # box-es
    ("moved", 1),         # silent -ed
    ("asked", 1),
    ("wanted", 2),        # want-ed: -ed after t is spoken
    ("needed", 2),        # need-ed
    ("being", 2),         # be-ing: -ing after a vowel is its own syllable
    ("staying", 2),       # stay-ing
    ("going", 2),
    ("free", 1),          # ee: one group, not a silent e
    ("the", 1),
    ("young", 1),         # you-: y, o, u stand together
    ("platypus", 3),      # pla-ty-pus
    ("creature", 2),      # crea-ture
    ("caseworker", 3),    # exceptions list: case-work-er
    ("caseworkers", 3),   # the plural of an exception
    ("guardian", 3),      # exceptions list: guar-di-an
    ("don't", 1),
    ("re-entry", 3),      # re + en-try, one word
    ("10", 1),            # figures count as one syllable (Flesch 1979)
    ("93", 1),
    ("2026", 1),
    ("1,000", 1),
    ("4.5", 1),
])
def test_syllables_follow_the_documented_rules(word, expected):
    assert r.syllables(word) == expected


def test_the_published_platypus_sentence_has_24_syllables_and_reads_at_grade_11_3():
    text = "The Australian platypus is seemingly a hybrid of a mammal and reptilian creature."
    # The 1, Aus-tral-ian 3, pla-ty-pus 3, is 1, see-ming-ly 3, a 1, hy-brid 2, of 1, a 1,
    # mam-mal 2, and 1, rep-til-ian 3, crea-ture 2: 24 syllables in 13 words.
    assert r.counts(text) == r.Counts(words=13, sentences=1, syllables=24)
    # 0.39 × 13 + 11.8 × 24 / 13 − 15.59 = 5.07 + 21.785 − 15.59 = 11.265
    assert r.grade_level(text) == pytest.approx(11.265, abs=1e-3)
    assert round(r.grade_level(text), 1) == 11.3


def test_the_formula_gives_the_published_lowest_grade_and_green_eggs_and_ham():
    # one one-syllable word per sentence: 0.39 + 11.8 − 15.59 = −3.40
    assert r.fk_grade(words=1, sentences=1, syllables=1) == pytest.approx(-3.40)
    # 5.7 words per sentence, 1.02 syllables per word (as ratios over 10 sentences):
    # 0.39 × 5.7 + 11.8 × 1.02 − 15.59 = 2.223 + 12.036 − 15.59 = −1.331
    assert r.fk_grade(words=57, sentences=10, syllables=58.14) == pytest.approx(-1.331)
    assert round(r.fk_grade(words=57, sentences=10, syllables=58.14), 1) == -1.3


def test_hand_counted_sentences_with_figures_and_a_colon():
    text = "Time: from October 2024 to September 2025."
    # "Time" | "from Oc-to-ber 2024 to Sep-tem-ber 2025": 7 words, 2 sentences,
    # 1 + 1 + 3 + 1 + 1 + 3 + 1 = 11 syllables (each year one syllable, as a figure).
    assert r.counts(text) == r.Counts(words=7, sentences=2, syllables=11)
    # 0.39 × 7 / 2 + 11.8 × 11 / 7 − 15.59 = 1.365 + 18.5429 − 15.59 = 4.3179
    assert r.grade_level(text) == pytest.approx(4.3179, abs=1e-4)


def test_hand_counted_sentences():
    # The(1) cat(1) sat(1) on(1) the(1) mat(1): 6 words, 6 syllables.
    # 0.39 × 6 + 11.8 × 1 − 15.59 = 2.34 + 11.8 − 15.59 = −1.45
    assert r.grade_level("The cat sat on the mat.") == pytest.approx(-1.45)
    text = "We looked at young people who came into care."
    # We 1, looked 1, at 1, young 1, peo-ple 2, who 1, came 1, in-to 2, care 1: 9 words, 11.
    assert r.counts(text) == r.Counts(words=9, sentences=1, syllables=11)
    # 0.39 × 9 + 11.8 × 11 / 9 − 15.59 = 3.51 + 14.4222 − 15.59 = 2.3422
    assert r.grade_level(text) == pytest.approx(2.3422, abs=1e-4)
    two = "Foster care is a home for a while. A caseworker visits each month."
    # Fos-ter 2, care 1, is 1, a 1, home 1, for 1, a 1, while 1 (8 words, 9 syllables);
    # A 1, case-work-er 3, vis-its 2, each 1, month 1 (5 words, 8 syllables).
    assert r.counts(two) == r.Counts(words=13, sentences=2, syllables=17)
    # 0.39 × 13 / 2 + 11.8 × 17 / 13 − 15.59 = 2.535 + 15.4308 − 15.59 = 2.3758
    assert r.grade_level(two) == pytest.approx(2.3758, abs=1e-4)


def test_sentences_end_at_stops_and_line_breaks_but_not_inside_numbers_or_words():
    assert r.sentences("About 4.5 moves. Really? Yes!") == ["About 4.5 moves", " Really", " Yes"]
    assert len(r.sentences("A heading\nA line of text.\n\n- a list item")) == 3
    # colon, semicolon and dash end a unit of speech; a hyphen or a time does not
    assert len(r.sentences("Time: from May to June; then - after that — more.")) == 5
    assert len(r.sentences("A re-entry at 10:30 today.")) == 1
    assert r.counts("").sentences == 0
    assert r.grade_level("") == 0.0


def test_a_long_sentence_of_long_words_fails_the_grade_8_check():
    text = ("The agency's observed performance on the federal permanency indicators, which are "
            "risk-adjusted at the national level, is reported for each cohort.")
    check = r.check_text(text)
    assert check.grade > 8 and not check.ok
    assert any("grade" in p for p in check.problems())
    assert set(check.jargon) >= {"observed", "permanency", "indicators", "risk-adjusted", "cohort"}


def test_jargon_is_found_whole_in_any_case_and_with_its_plural():
    found = r.jargon("Re-entries and REENTRY; the Maltreatment rate; three episodes.")
    assert found == ("Re-entries", "REENTRY", "Maltreatment", "rate", "episodes")
    # whole words only: "separate", "rated" and "moderate" do not contain the word "rate"
    assert r.jargon("They rated the separate, moderate plan.") == ()


def test_acronyms_are_jargon_whether_listed_or_not():
    assert r.jargon("The CFSR and the XYZ report.") == ("CFSR", "XYZ")
    assert r.jargon("I am in care.") == ()


def test_a_word_explained_on_the_spot_may_stand():
    assert r.jargon("Placement: a home where a young person in care lives.") == ()
    assert r.jargon("Her placement (the home where she lives) is near school.") == ()
    assert r.jargon("She had three placements.") == ("placements",)
    assert r.jargon("Permanency: going home.") == ("Permanency",)  # not marked unless_glossed


def test_plain_youth_sentences_pass():
    check = r.check_text("We looked at young people who came into care. Within a year, about "
                         "4 out of 10 went home or to a forever family.")
    assert check.ok, check.problems()
    assert check.problems() == []


def test_every_banned_word_has_something_to_say_instead():
    terms = r.load_jargon()
    names = {t.term.lower() for t in terms}
    assert {"cfsr", "afcars", "ncands", "osri", "spc", "permanency", "maltreatment",
            "recurrence", "re-entry", "indicator", "numerator", "denominator", "cohort",
            "episode", "disposition", "placement"} <= names
    assert all(t.say for t in terms)
    assert [t.term for t in terms if t.unless_glossed] == ["placement"]


def test_a_jargon_file_without_what_to_say_is_refused(tmp_path):
    bad = tmp_path / "jargon.yaml"
    bad.write_text("banned:\n  - {term: cohort}\n", encoding="utf-8")
    with pytest.raises(CQIError, match="what to say instead"):
        r.load_jargon(bad)
    twice = tmp_path / "twice.yaml"
    twice.write_text("banned:\n  - {term: cohort, say: group}\n  - {term: Cohort, say: group}\n",
                     encoding="utf-8")
    with pytest.raises(CQIError, match="listed twice"):
        r.load_jargon(twice)
    empty = tmp_path / "empty.yaml"
    empty.write_text("banned: []\n", encoding="utf-8")
    with pytest.raises(CQIError, match="list of banned words"):
        r.load_jargon(empty)
