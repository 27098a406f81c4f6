"""Mapping profiles and proposals: federal layouts, saved profiles, never a silent guess."""

from __future__ import annotations

import datetime as dt

import pytest

from cqi_core.errors import CQIError
from cqi_core.ingest import MappingProfile, import_files, list_mappings, load_mapping, \
    plan_import, save_mapping
from ingest_helpers import GOOD, rows, state, write


def test_the_federal_profile_ships_and_loads():
    assert "federal_numeric" in list_mappings()
    p = load_mapping("federal_numeric")
    assert p.columns["episodes"]["LatRemDt"] == "removal_date"
    assert p.columns["children"]["RecNumbr"] == "child_id"
    assert p.columns["reports"]["RptDisp"] == "disposition"
    assert p.codes["episodes"]["discharge_reason"]["0"] is None


def test_afcars_style_episodes_load_with_the_federal_profile(good_store, tmp_path):
    f = write(tmp_path / "episodes.csv",
              "episode_id,RecNumbr,LatRemDt,DoDFCDt,DISREASN,unit_id\n"
              "F1,C005,20230101,20230601,1,U3\n"    # 1 = reunification; YYYYMMDD dates
              "F2,C002,2023-02-01,,0,U1\n")          # 0 = not discharged → no reason
    result = import_files(good_store, [f], mode="delta", mapping="federal_numeric")
    assert result.outcome == "landed", result.message
    assert result.rows_rejected == 0
    assert rows(good_store, "SELECT episode_id, child_id, removal_date, discharge_date, "
                            "discharge_reason FROM episodes WHERE episode_id LIKE 'F%' "
                            "ORDER BY 1") == [
        ("F1", "C005", dt.date(2023, 1, 1), dt.date(2023, 6, 1), "reunification"),
        ("F2", "C002", dt.date(2023, 2, 1), None, None)]
    assert rows(good_store, "SELECT mapping FROM import_batches WHERE batch_id = 2") == \
        [("federal_numeric",)]


def test_ncands_style_reports_load_with_the_federal_profile(good_store, tmp_path):
    f = write(tmp_path / "reports.csv",
              "RptID,ChID,RptDt,InvDate,RptDisp,ChMal1,Per1Rel\n"
              "N1,C001,2023-03-01,2023-03-02,1,2,1\n"   # substantiated, neglect, parent
              "N2,C002,2023-03-05,,6,6,7\n")            # unsubstantiated, none, other
    result = import_files(good_store, [f], mode="delta", mapping="federal_numeric")
    assert result.rows_rejected == 0
    assert rows(good_store, "SELECT report_id, disposition, maltreatment_type, "
                            "perpetrator_relationship, first_contact_date FROM reports "
                            "WHERE report_id LIKE 'N%' ORDER BY 1") == [
        ("N1", "substantiated", "neglect", "parent", dt.date(2023, 3, 2)),
        ("N2", "unsubstantiated", None, "other", None)]


def test_without_a_profile_federal_headers_refuse_and_name_the_closest(good_store, tmp_path):
    f = write(tmp_path / "episodes.csv",
              "episode_id,RecNumbr,LatRemDt,DoDFCDt,DISREASN,unit_id\n"
              "F1,C005,2023-01-01,2023-06-01,1,U3\n")
    before = state(good_store)
    result = import_files(good_store, [f], mode="delta")
    assert result.outcome == "refused"
    assert result.exit_code == 1
    assert ('episodes.csv: required column "child_id" of episodes is missing (closest headers '
            'found: "RecNumbr")') in result.problems[0]
    assert any('"removal_date"' in p and '"LatRemDt"' in p for p in result.problems)
    assert state(good_store) == before


def test_a_similar_header_is_proposed_but_never_applied(tmp_path):
    f = write(tmp_path / "children.csv", "child_id,DOB,Gender,race_ethnicity\n"
                                         "A,2015-01-01,female,white\n")
    plan = plan_import([f])
    fp = plan.files[0]
    proposed = {m.column: (m.source, m.applied, m.method) for m in fp.proposals
                if m.method == "similarity"}
    assert proposed["birth_date"] == ("DOB", False, "similarity")
    assert proposed["sex"] == ("Gender", False, "similarity")
    assert "birth_date" not in fp.column_map
    assert [m.column for m in fp.missing_required] == ["birth_date", "sex"]
    assert plan.problems  # the batch would be refused


def test_accepted_proposals_become_a_saved_profile_that_imports(store, tmp_path):
    f = write(tmp_path / "children.csv", "child_id,DOB,Gender,race_ethnicity\n"
                                         "A,2015-01-01,female,white\n")
    profile = plan_import([f]).to_profile("my_mis", "Our MIS export")
    assert profile.columns == {"children": {"DOB": "birth_date", "Gender": "sex"}}
    path = save_mapping(profile, tmp_path / "mappings")
    assert path.name == "my_mis.yaml"
    loaded = load_mapping(str(path))
    assert loaded == profile
    result = import_files(store, [f], mapping=loaded)
    assert result.outcome == "landed"
    assert rows(store, "SELECT birth_date, sex FROM children") == [(dt.date(2015, 1, 1),
                                                                    "female")]


def test_a_profile_maps_values_of_code_columns(store, tmp_path):
    profile = MappingProfile(name="local_codes",
                             codes={"children": {"sex": {"W": "female", "B": "male"}}})
    f = write(tmp_path / "children.csv", "child_id,birth_date,sex,race_ethnicity\n"
                                         "A,2015-01-01,w,white\n"
                                         "B,2015-01-01,b,white\n")
    import_files(store, [f], mapping=profile)
    assert rows(store, "SELECT child_id, sex FROM children ORDER BY 1") == [("A", "female"),
                                                                           ("B", "male")]


def test_a_profile_can_name_the_table_of_a_file(store, tmp_path):
    profile = MappingProfile(name="names", files={"kids_*.csv": "children"},
                             columns={"children": {"kid": "child_id"}})
    f = write(tmp_path / "kids_june.csv", "kid,birth_date,sex,race_ethnicity\n"
                                          "A,2015-01-01,female,white\n")
    assert plan_import([f], profile).files[0].table == "children"


def test_profiles_that_do_not_fit_the_contract_are_refused_on_load(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ntables:\n  children:\n    columns:\n      Kid: kid_id\n"
                   "    codes:\n      sex:\n        W: woman\n", encoding="utf-8")
    with pytest.raises(CQIError) as err:
        load_mapping(str(bad))
    assert '"Kid" maps to unknown column "kid_id"' in str(err.value)
    assert '"W" maps to "woman"' in str(err.value)


def test_an_unknown_profile_is_a_usage_error(store):
    with pytest.raises(CQIError, match='Mapping profile "nope" was not found'):
        import_files(store, [GOOD], mapping="nope")
