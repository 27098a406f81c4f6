"""Codebook interchange: REFI-QDA .qdc and CSV, out and back in."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from cqi_core import open_store
from cqi_core.analysis import qualitative
from cqi_core.analysis.qualitative import CodebookError, Theme
from cqi_core.analysis.qualitative.interchange import GUID_NAMESPACE, parse_description

NS = {"q": "urn:QDA-XML:codebook:1.0"}


@pytest.fixture
def store(sample_db_copy):
    s = open_store(sample_db_copy)
    yield s
    s.close()


def test_qdc_export_is_a_refi_qda_codebook_with_stable_guids():
    codebook = qualitative.load_codebook()
    data = qualitative.export_qdc(codebook)
    assert data.startswith(b"<?xml")
    root = ET.fromstring(data)
    assert root.tag == "{urn:QDA-XML:codebook:1.0}CodeBook"
    assert root.get("origin").startswith("CQI dashboard")
    codes = root.findall("q:Codes/q:Code", NS)
    assert [c.get("name") for c in codes] == [t.name for t in codebook]
    first = codebook.themes[0]
    assert codes[0].get("guid") == str(uuid.uuid5(GUID_NAMESPACE, first.code))
    assert codes[0].get("isCodable") == "true"
    desc = codes[0].find("q:Description", NS).text
    assert desc.splitlines()[0] == f"Code: {first.code}"
    assert f"Pattern: {first.patterns[0]}" in desc.splitlines()
    # the same codebook exports the same bytes
    assert qualitative.export_qdc(codebook) == data


def test_qdc_round_trip_restores_every_field(store):
    codebook = qualitative.load_codebook(store)
    changed = replace(codebook.get("transportation"), name="Getting there",
                      examples=("Two buses, one visit.",), patterns=("bus(?:es)?", "rides?"))
    qualitative.save_theme(store, changed, "Ana", "Shorter list.")
    extra = Theme(code="respite", name="Respite", definition="Breaks for caregivers: short & sweet <ok>.",
                  include="Respite asked for or given.", exclude="Child care (housing_economic).",
                  examples=("A weekend off.",), patterns=("respite",), ignore=("respite care act",),
                  related=("Q1.12C",))
    qualitative.save_theme(store, extra, "Ana", "New theme.")
    exported = qualitative.export_qdc(qualitative.load_codebook(store))

    # into a database that has the starter codebook: one theme changed, one added
    other = open_store(store.path.with_name("other.duckdb"))
    try:
        summary = qualitative.import_qdc(other, exported, "Ben")
        assert summary.added == ("respite",)
        assert summary.updated == ("transportation",)
        assert len(summary.unchanged) == len(codebook) - 1
        got = qualitative.load_codebook(other)
        assert got.themes == qualitative.load_codebook(store).themes
        # importing the same file again changes nothing
        again = qualitative.import_qdc(other, exported, "Ben")
        assert again.added == () and again.updated == ()
        assert qualitative.load_codebook(other).version == got.version
    finally:
        other.close()


def test_a_qdc_from_another_tool_keeps_the_patterns_it_does_not_carry(store):
    foreign = b"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Other QDA tool">
  <Codes>
    <Code guid="1f0e6a2c-0000-4000-8000-000000000001" name="Barriers" isCodable="false">
      <Code guid="1f0e6a2c-0000-4000-8000-000000000002" name="Transportation" isCodable="true">
        <Description>Trouble getting to visits, services or school.</Description>
      </Code>
      <Code guid="1f0e6a2c-0000-4000-8000-000000000003" name="Language access" isCodable="true"/>
    </Code>
  </Codes>
</CodeBook>"""
    before = qualitative.load_codebook(store).get("transportation")
    summary = qualitative.import_qdc(store, foreign, "Ben")
    assert summary.updated == ("transportation",)
    assert summary.added == ("language_access",)
    assert summary.skipped == ("Code 1 ('Barriers'): not codable (a grouping only)",)
    after = qualitative.load_codebook(store)
    t = after.get("transportation")
    assert t.definition == "Trouble getting to visits, services or school."
    assert t.patterns == before.patterns and t.examples == before.examples
    assert after.get("language_access").name == "Language access"


@pytest.mark.parametrize("data, message", [
    (b"not xml at all", "not valid XML"),
    (b"<Project xmlns='urn:QDA-XML:project:1.0'/>", "not a REFI-QDA CodeBook"),
    (b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><CodeBook/>", "DOCTYPE"),
])
def test_a_file_that_is_not_a_codebook_is_refused(store, data, message):
    with pytest.raises(CodebookError, match=message):
        qualitative.import_qdc(store, data, "Ben")


def test_a_qdc_with_one_bad_code_imports_nothing(store):
    data = b"""<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="a" name="Good one" isCodable="true"><Description>Code: good_one</Description></Code>
<Code guid="b" name="Bad one" isCodable="true"><Description>Code: bad_one
Pattern: (unclosed</Description></Code>
</Codes></CodeBook>"""
    version = qualitative.load_codebook(store).version
    with pytest.raises(CodebookError, match=r"Code 2 \('Bad one'\), field patterns: pattern 1 "
                                            r"'\(unclosed' does not compile.*Nothing was imported"):
        qualitative.import_qdc(store, data, "Ben")
    after = qualitative.load_codebook(store)
    assert after.version == version and "good_one" not in after.codes


def test_description_lines_parse_back_into_fields():
    text = "Code: x\nDefinition: One\n  wrapped\nPattern: a|b\nPattern: c\nExample: E."
    assert parse_description(text) == {"code": "x", "definition": "One wrapped",
                                       "patterns": ["a|b", "c"], "examples": ["E."]}
    assert parse_description("Just prose.") == {"definition": "Just prose."}


def test_csv_round_trip(store):
    codebook = qualitative.load_codebook(store)
    data = qualitative.export_codebook_csv(codebook)
    assert data.startswith(b"\xef\xbb\xbf")  # byte-order mark for spreadsheets
    assert data.decode("utf-8-sig").splitlines()[0] == \
        "code,name,definition,include,exclude,examples,patterns,ignore,related"
    qualitative.retire_theme(store, "education", "Ana", "Testing the round trip.")
    summary = qualitative.import_codebook_csv(store, data, "Ben")
    assert summary.added == ("education",)
    assert qualitative.load_codebook(store).get("education") == codebook.get("education")


def test_csv_bad_row_names_the_row_and_field_and_imports_nothing(store):
    data = ("code,name,patterns\n"
            "new_one,New one,first\n"
            "Bad Code,Second,\n").encode("utf-8")
    version = qualitative.load_codebook(store).version
    with pytest.raises(CodebookError, match=r"The codebook CSV, row 3, field code: 'Bad Code' "
                                            r"must be snake_case"):
        qualitative.import_codebook_csv(store, data, "Ben")
    assert qualitative.load_codebook(store).version == version


def test_csv_refuses_unknown_columns_and_repeated_codes(store):
    with pytest.raises(CodebookError, match="row 1, column 2: unknown column 'colour'"):
        qualitative.import_codebook_csv(store, b"name,colour\nA,red\n", "Ben")
    with pytest.raises(CodebookError, match="row 3, field code: 'dup' appears twice"):
        qualitative.import_codebook_csv(store, b"code,name\ndup,One\ndup,Two\n", "Ben")


def test_taguette_codebook_csv_imports(store):
    # Taguette exports tag, description, number of highlights
    data = b"tag,description,number of highlights\nFood insecurity,Not enough food at home.,3\n"
    summary = qualitative.import_codebook_csv(store, data, "Ben")
    assert summary.added == ("food_insecurity",)
    t = qualitative.load_codebook(store).get("food_insecurity")
    assert (t.name, t.definition, t.patterns) == ("Food insecurity", "Not enough food at home.", ())
