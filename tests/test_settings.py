"""The settings registry: every YAML file of the package registered, every key documented,
and one reader that names a broken file."""

from __future__ import annotations

import pytest

from cqi_core import settings
from cqi_core.errors import CQIError


def test_every_yaml_file_in_the_package_is_registered_and_every_registered_file_exists():
    on_disk = sorted(str(p.relative_to(settings.PACKAGE)) for p in settings.PACKAGE.rglob("*.yaml"))
    registered = sorted(f.path for f in settings.FILES)
    assert registered == on_disk
    assert all(f.file.is_file() for f in settings.FILES)


def test_names_and_paths_are_unique_and_every_file_and_key_has_help():
    assert len({f.name for f in settings.FILES}) == len(settings.FILES)
    assert len({f.path for f in settings.FILES}) == len(settings.FILES)
    for f in settings.FILES:
        assert f.help.strip(), f.name
        names = [s.name for s in f.settings]
        assert len(set(names)) == len(names), f"{f.name}: a key is documented twice"
        assert all(s.help.strip() for s in f.settings), f.name


@pytest.mark.parametrize("name", [f.name for f in settings.FILES])
def test_every_key_in_the_file_is_documented_and_every_documented_key_is_in_it(name):
    in_file = set(settings.keys_in_file(name))
    documented = {s.name for s in settings.entry(name).settings}
    assert sorted(in_file - documented) == [], f"{name}: keys without help in cqi_core/settings.py"
    assert sorted(documented - in_file) == [], f"{name}: documented keys the file does not have"


def test_settings_files_document_the_keys_inside_their_sections():
    # A threshold inside a section is a setting like any other: it has its own help.
    assert "agreement.low_kappa" in settings.keys_in_file("reviews")
    assert "strength.shift" in settings.keys_in_file("trends")
    assert "indicators.*.params.d1_days" in settings.keys_in_file("indicator_config")


def test_a_key_the_registry_does_not_document_is_found(tmp_path, monkeypatch):
    """The check sees a new key: a copy of reviews.yaml with one more setting."""
    extra = tmp_path / "reviews.yaml"
    extra.write_text(settings.entry("reviews").file.read_text(encoding="utf-8")
                     + "\nagreement_extra: 1\n", encoding="utf-8")
    monkeypatch.setitem(settings.BY_NAME, "reviews",
                        settings.SettingsFile("reviews", str(extra), "copy",
                                              settings.entry("reviews").settings))
    assert "agreement_extra" in settings.keys_in_file("reviews")


def test_documented_defaults_are_the_values_the_file_ships():
    rows = {k: d for k, d, _ in settings.documented("reviews")}
    assert rows["small_n"] == 5                       # reviews.yaml: small_n: 5
    assert rows["agreement.low_kappa"] == 0.6         # reviews.yaml: agreement.low_kappa: 0.6
    params = {k: d for k, d, _ in settings.documented("indicator_config")}
    assert params["indicators.*.params.d1_days"] == {"indicators.D1.params.d1_days": 3}


def test_load_reads_a_registered_file_and_each_caller_gets_its_own_copy():
    first = settings.load("trends")
    first["preset"] = "changed by a caller"
    assert settings.load("trends")["preset"] == "anhoej"


def test_an_edited_file_is_read_again(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    assert settings.load_yaml(path) == {"a": 1}
    path.write_text("a: 2\n", encoding="utf-8")
    assert settings.load_yaml(path) == {"a": 2}


def test_a_file_that_is_not_valid_yaml_names_the_file_and_the_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("a: 1\nb: [unclosed\n", encoding="utf-8")
    with pytest.raises(CQIError, match=r"broken\.yaml is not valid YAML at line \d+"):
        settings.load_yaml(path)


def test_a_file_that_is_not_utf8_names_the_file(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes("name: Fran\u00e7ois\n".encode("latin-1"))
    with pytest.raises(CQIError, match=r"latin\.yaml is not UTF-8"):
        settings.load_yaml(path)


def test_an_unknown_name_lists_the_known_ones():
    with pytest.raises(KeyError, match="trends"):
        settings.load("nope")
