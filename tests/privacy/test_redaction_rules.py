"""Redaction rules of issue 13: record ids, SSNs, phone numbers in every shape, dates of birth,
addresses in lower case, e-mails, names in any case and lone surnames are masked; ordinary
words that are also names stay; unit and region names are kept only whole; a bad rule file
refuses to load. Every expected output is written out by hand."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from cqi_core.analysis.qualitative import sharing
from cqi_core.errors import CQIError
from cqi_core.privacy import redaction
from cqi_core.privacy.redaction import redact


# ----------------------------------------------------------------- identifiers

def test_child_id_from_the_issue():
    assert redact("Child C0000123 was seen twice.") == "Child [id] was seen twice."


def test_record_ids_in_the_shapes_of_the_export():
    text = ("Episode E0000456, report R0000789, placement P00000123 and visit V00001234 "
            "by worker W00012; review RV000123, QA000045, feedback F000012, response "
            "SR0000123; lower case c0000123 too.")
    assert redact(text) == ("Episode [id], report [id], placement [id] and visit [id] "
                            "by worker [id]; review [id], [id], feedback [id], response "
                            "[id]; lower case [id] too.")


def test_short_codes_and_unit_ids_are_not_record_ids():
    text = "Unit U001 filed the W-2 and I-9 forms for Item 12 in 2024."
    assert redact(text) == text


@pytest.mark.parametrize("text, expected", [
    ("SSN 123-45-6789 is on file.", "SSN [ssn] is on file."),
    ("SSN 123 45 6789 is on file.", "SSN [ssn] is on file."),
    ("SSN: 123456789.", "SSN: [ssn]."),
    ("She gave 123456789 as her number.", "She gave [ssn] as her number."),
    ("Social security 123–45–6789 was read out.", "Social security [ssn] was read out."),
])
def test_social_security_numbers(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Call 5551234567 today.", "Call [phone] today."),
    ("Call (555) 123-4567 today.", "Call [phone] today."),
    ("Call (555)123-4567 today.", "Call [phone] today."),
    ("Call 555-123-4567 today.", "Call [phone] today."),
    ("Call 555.123.4567 today.", "Call [phone] today."),
    ("Call 555–123–4567 today.", "Call [phone] today."),
    ("Call 555—123—4567 today.", "Call [phone] today."),
    ("Call +1 555 123 4567 today.", "Call [phone] today."),
    ("Call +1-555-123-4567 today.", "Call [phone] today."),
    ("Call +15551234567 today.", "Call [phone] today."),
    ("Call 555–0134 today.", "Call [phone] today."),
])
def test_phone_numbers_in_every_shape(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("The youth, b. 3/4/2011, moved in.", "The youth, b. [date of birth], moved in."),
    ("The youth (born 3/4/2011) moved in.", "The youth (born [date of birth]) moved in."),
    ("DOB 2011-03-04 per the file.", "DOB [date of birth] per the file."),
    ("d.o.b. 3/4/2011 per the file.", "d.o.b. [date of birth] per the file."),
    ("D.O.B. 3/4/2011 per the file.", "D.O.B. [date of birth] per the file."),
])
def test_dates_of_birth(text, expected):
    assert redact(text) == expected


def test_other_dates_stay():
    text = "The visit on 3/4/2024 was late; the plan of 2024-03-04 is current."
    assert redact(text) == text


@pytest.mark.parametrize("text, expected", [
    ("They live at 12 elm street now.", "They live at [address] now."),
    ("They live at 12 elm street, apt 4b now.", "They live at [address] now."),
    ("She moved to apt 4b last week.", "She moved to [address] last week."),
    ("Mail goes to po box 12 in town.", "Mail goes to [address] in town."),
    ("We visited 40 OAK AVE today.", "We visited [address] today."),
    ("We visited 12 oak drive.", "We visited [address]."),
])
def test_addresses_in_lower_and_upper_case(text, expected):
    assert redact(text) == expected


def test_numbers_before_a_street_word_in_a_sentence_are_no_address():
    text = "The 3 kids in the street waited 2 hours down the road."
    assert redact(text) == text


def test_emails():
    assert redact("Write to jo.lee@example.org or HELP@family-help.net today.") == \
        "Write to [email] or [email] today."


# ----------------------------------------------------------------- names

@pytest.mark.parametrize("text, expected", [
    ("maria said she felt safe.", "[name] said she felt safe."),
    ("Maria said she felt safe.", "[name] said she felt safe."),
    ("MARIA said she felt safe.", "[name] said she felt safe."),
    ("then jayden ran off again.", "then [name] ran off again."),
])
def test_first_names_in_any_case(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("We spoke to Maria Okonkwo about it.", "We spoke to [name] about it."),
    ("We spoke to maria lopez about it.", "We spoke to [name] about it."),
    ("We spoke to MARIA LOPEZ about it.", "We spoke to [name] about it."),
    ("Maria Lopez came in.", "[name] came in."),
    ("Will Smith came in.", "[name] came in."),
])
def test_full_names(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("We spoke with Garcia about the plan.", "We spoke with [name] about the plan."),
    ("Garcia called back on Monday.", "[name] called back on Monday."),
    ("GARCIA did not attend.", "[name] did not attend."),
    ("We met with Young in the office.", "We met with [name] in the office."),
    ("The Brown family moved.", "The [name] family moved."),
])
def test_a_lone_surname(text, expected):
    assert redact(text) == expected


def test_ordinary_words_that_are_also_surnames_stay_in_lower_case():
    text = ("A young mother with a white car said she will call; we hope the grant may "
            "help her mark the date, and she brought a rose and brown rice.")
    assert redact(text) == text


def test_ordinary_words_stay_at_the_start_of_a_sentence_and_in_capitals():
    text = "Young people did well. Best practice is to visit. He WILL NOT go. Hope is high."
    assert redact(text) == text


# ----------------------------------------------------------------- unit and region names

def test_a_region_called_madison_keeps_madison_but_not_madison_smith():
    keep = ["Madison"]
    assert redact("Madison Smith came in.", keep) == "[name] came in."
    assert redact("We met Madison Smith there.", keep) == "We met [name] there."
    assert redact("Madison is our largest region.", keep) == "Madison is our largest region."
    assert redact("She works in the Madison office.", keep) == "She works in the Madison office."
    assert redact("Ms. Madison called.", keep) == "[name] called."
    # without the region, Madison is a first name
    assert redact("Madison is our largest region.") == "[name] is our largest region."


def test_only_whole_unit_names_are_kept_never_a_single_word():
    keep = ["Jordan Valley Permanency", "Copper Flats Family Services"]
    assert redact("The Jordan Valley Permanency unit met.", keep) == \
        "The Jordan Valley Permanency unit met."
    assert redact("the jordan valley permanency unit met.", keep) == \
        "the jordan valley permanency unit met."
    assert redact("We met at the Jordan Valley office.", keep) == \
        "We met at the Jordan Valley office."
    assert redact("Jordan said the visit went well.", keep) == "[name] said the visit went well."
    assert redact("We asked Jordan Lee and Copper Flats Family Services.", keep) == \
        "We asked [name] and Copper Flats Family Services."


def test_the_agency_words_are_whole_names(monkeypatch):
    class Units:
        def query(self, sql):
            return pl.DataFrame({"unit_name": ["Madison Permanency 1", None],
                                 "region": ["Madison", "Madison"]})

    monkeypatch.setattr(sharing, "table_exists", lambda store, name: True)
    assert sharing.agency_words(Units()) == ["Madison", "Madison Permanency 1"]


# ----------------------------------------------------------------- ordinary prose

def test_keeps_ordinary_case_review_prose():
    text = (
        "The reviewer found that the agency made concerted efforts to maintain the child's "
        "connection with her siblings. Monthly caseworker visits with the mother focused on "
        "safety and the case plan, and the father was engaged in two of the six months. "
        "Item 4 was rated a strength; Item 12 needed improvement because the case plan was "
        "not updated after the placement change on 3/4/2024. The youth said she feels safe "
        "in her kinship home and wants to stay at her high school. Young people in care told "
        "the advisory board that visits matter. The family team meeting in March agreed on "
        "a plan for reunification, with a review in 90 days. Caseloads were 18 cases per "
        "worker in North Metro."
    )
    assert redact(text, ["North Metro", "North Metro Permanency 1"]) == text


# ----------------------------------------------------------------- the rules file

def _copy_with(tmp_path: Path, old: str, new: str) -> Path:
    shipped = (Path(redaction.__file__).parent / "redaction.yaml").read_text(encoding="utf-8")
    assert old in shipped
    path = tmp_path / "redaction.yaml"
    path.write_text(shipped.replace(old, new, 1), encoding="utf-8")
    return path


def test_the_shipped_rules_load():
    rules = redaction.load_rules()
    assert rules.labels["record_id"] == "[id]"
    assert "garcia" in rules.surnames and "maria" in rules.first_names


def test_a_bad_pattern_refuses_naming_the_file_and_the_key(tmp_path):
    path = _copy_with(tmp_path, "  phone: '", "  phone: '(?P<broken")
    with pytest.raises(CQIError) as err:
        redaction.load_rules(path)
    assert str(path) in str(err.value)
    assert "patterns.phone" in str(err.value)


def test_a_missing_pattern_refuses_naming_the_key(tmp_path):
    path = _copy_with(tmp_path, "  ssn: '", "  ssn_old: '")
    with pytest.raises(CQIError, match=r"patterns\.ssn"):
        redaction.load_rules(path)
