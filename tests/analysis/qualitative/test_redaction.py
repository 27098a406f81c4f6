"""Redaction: planted names, phone numbers, e-mail and street addresses and dates of birth
never come out; ordinary words, places, months and item numbers do."""

from __future__ import annotations

import pytest

from cqi_core.analysis.qualitative import redact

# (text, the planted strings that must not survive, the label that must appear)
PLANTED = [
    ("Ms. Rivera said the visit went well.", ["Rivera"], "[name]"),
    ("We spoke with Mr Okafor and Dr. Ana Ortiz on Friday.", ["Okafor", "Ana", "Ortiz"], "[name]"),
    ("Judge Hernandez continued the hearing.", ["Hernandez"], "[name]"),
    ("My caseworker Jordan never called back.", ["Jordan"], "[name]"),
    ("our worker Kwabena came on Tuesday", ["Kwabena"], "[name]"),
    ("Her son, Tyrell, is doing better at school.", ["Tyrell"], "[name]"),
    ("I told my foster mom Precious Adeyemi about it.", ["Precious", "Adeyemi"], "[name]"),
    ("There is a boy named Zephyr in the home.", ["Zephyr"], "[name]"),
    ("The baby, called Nomvula by the family, is thriving.", ["Nomvula"], "[name]"),
    ("Maria said she felt safe.", ["Maria"], "[name]"),
    ("Then Jayden ran away again.", ["Jayden"], "[name]"),
    ("I met Sofia Castellanos at the office.", ["Sofia", "Castellanos"], "[name]"),
    ("We told Kwame Mensah about the hearing.", ["Kwame", "Mensah"], "[name]"),
    ("We told Kwame Mensah Monday about the hearing.", ["Kwame", "Mensah"], "[name]"),
    ("Maria's brother moved in.", ["Maria"], "[name]"),
    ("Reviewed by A. Lee and B. Díaz.", ["Lee", "Díaz"], "[name]"),
    ("The youth, Siobhan O'Brien-Walsh, asked for help.", ["Siobhan", "O'Brien", "Walsh"], "[name]"),
    ("Call me at (555) 123-4567 after six.", ["123-4567", "(555)"], "[phone]"),
    ("Her number is 555-123-4567.", ["555-123-4567"], "[phone]"),
    ("Reach the aunt on 555.123.4567 any day.", ["555.123.4567"], "[phone]"),
    ("Dad's cell: +1 555 123 4567.", ["555 123 4567"], "[phone]"),
    ("The office line is 555-0134 ext. 12.", ["555-0134"], "[phone]"),
    ("Write to maria.lopez@example.org or info@family-help.net.",
     ["maria.lopez@example.org", "info@family-help.net", "lopez"], "[email]"),
    ("They moved to 123 Main St, Apt 4B last month.", ["123 Main", "Apt 4B", "4B"], "[address]"),
    ("The kids stay at 42 Oak Lane with their aunt.", ["42 Oak Lane", "Oak"], "[address]"),
    ("Mail goes to 1600 N. Elm Street or PO Box 77.", ["1600", "Elm", "Box 77"], "[address]"),
    ("She lives in Apt. 12 now.", ["Apt. 12"], "[address]"),
    ("DOB 3/4/2011, placed in May.", ["3/4/2011"], "[date of birth]"),
    ("She was born on March 4, 2011 in another state.", ["March 4, 2011"], "[date of birth]"),
    ("date of birth: 2011-03-04", ["2011-03-04"], "[date of birth]"),
    ("Birthdate 04/03/2011.", ["04/03/2011"], "[date of birth]"),
    ("The child, born 4th of March 2011, lives with us.", ["4th of March 2011"], "[date of birth]"),
    ("He was born in Texas on 2011-03-04.", ["2011-03-04"], "[date of birth]"),
    ("The baby (DOB: Jan. 9, 2024) is doing well.", ["Jan. 9, 2024"], "[date of birth]"),
    ("Records list 03/04/2011 (DOB) for the youth.", ["03/04/2011"], "[date of birth]"),
]


@pytest.mark.parametrize("text, planted, label", PLANTED)
def test_planted_personal_details_never_survive(text, planted, label):
    out = redact(text)
    for s in planted:
        assert s not in out, (text, out)
    assert label in out


def test_everything_planted_in_one_long_narrative_is_masked():
    text = " ".join(t for t, _, _ in PLANTED)
    out = redact(text)
    for _, planted, _ in PLANTED:
        for s in planted:
            assert s not in out


SURVIVE = [
    "Item 4 was rated a strength; Item 12 needed improvement.",
    "Region North did better than Region South this quarter.",
    "March visits were up, and in April 2024 they fell again.",
    "The report of June 30, 2020 was seen within the response window.",
    "Reviewed on December 27, 2021 for the period December 2020 to December 2021.",
    "The family team meeting was on Monday, and the IEP meeting on Thursday.",
    "The Indian Child Welfare Act inquiry covered American Indian or Alaska Native heritage.",
    "The caseworker saw the 12-year-old in 10 of 12 months.",
    "The priority 2 report required contact within 3 days.",
    "She has 3 siblings in care and 2 older brothers at home.",
    "Caseloads were 18 cases per worker in 2024.",
    "I'm on the youth advisory board for High Plains.",
    "The new worker academy prepared me well.",
    "She was included in the birthday celebration. Reviewed on September 22, 2023 for the period.",
]


@pytest.mark.parametrize("text", SURVIVE)
def test_ordinary_text_is_left_as_it_is(text):
    assert redact(text) == text


def test_agency_place_names_survive_when_the_caller_names_them():
    text = "I'm a school social worker and know the Pinecrest Hollow office and Copper Flats Family Services."
    assert redact(text, keep=["Pinecrest Hollow Kinship Services", "Copper Flats Family Services"]) == text
    # without them, two unknown capitalised words mid-sentence look like a name
    assert "Pinecrest Hollow" not in redact(text)
    # words of the field are allowed already: Flats, Family, Services
    assert "Copper Flats Family Services" in redact(text)


def test_none_stays_none_and_labels_are_not_masked_again():
    assert redact(None) is None
    once = redact("Ms. Rivera called (555) 123-4567.")
    assert redact(once) == once == "[name] called [phone]."
