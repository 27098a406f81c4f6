"""Every page under every audience.

Each page file is started on its own (as a deep link would start it), for each of the four
audiences. A page either renders without an exception or refuses the audience in one
sentence. Under the public audiences a rendered page is scanned, charts included: no count
from 1 to 10 in any table or chart field that holds counts, no identifier column or value,
no small metric, and no sentence that gives a small number of people.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_support import as_viewer, open_page
from cqi_core import privacy

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(p.name for p in (ROOT / "pages" / "views").glob("*.py"))
ROLES = ["analyst", "supervisor", "stakeholder", "youth"]
REFUSED = "This page is for other people, so it is not part of your view of the dashboard."
# Pages that hold case-level records or unapproved text: never for a public audience.
INTERNAL_ONLY = {"case_reviews.py", "codebook.py", "data.py", "data_quality.py", "trends.py",
                 "what_changed.py", "catalog.py", "mission.py", "voices.py", "conjoint.py",
                 "audit.py", "unit_profile.py"}
COUNT_FIELD = re.compile(r"(^|_)(numerator|denominator|count|counts|n|children|entries|exits|"
                         r"in_care|in_care_at_end|excerpts|sources|reviews|cases|responses|people|"
                         r"pairs|workers|young_people|records|families|visits|reports)($|_)", re.I)
ID_VALUE = re.compile(r"\b(C\d{7}|R\d{7}|E\d{7}|P\d{7}|V\d{7}|W\d{5}|F\d{6}|RV\d{5,})\b")
SMALL_PEOPLE = re.compile(r"(?<![\d.,])(10|[1-9])\s+(children|child|young people|youth|kids|"
                          r"families|cases|reviews|people|workers|caseworkers|reports|responses)\b",
                          re.I)
IDENTIFIERS = set(privacy.load_policy().identifier_columns)


@pytest.fixture(scope="module")
def db(series_db) -> Path:
    return series_db


def _served(role: str) -> set[str]:
    from pages import _nav

    return {p[0] for pages in _nav.served(role).values() for p in pages}


def _run(monkeypatch, db: Path, page: str, role: str) -> AppTest:
    return open_page(monkeypatch, db, page, role, served=page in _served(role))


def _small(v) -> bool:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return False
    return 1 <= x <= 10


def _leaks(at: AppTest) -> list[str]:
    found = []
    for df in at.dataframe:
        frame = df.value
        for i, col in enumerate(frame.columns):
            name, values = str(col), frame.iloc[:, i].tolist()
            if name in IDENTIFIERS:
                found.append(f"identifier column {name}")
            if COUNT_FIELD.search(name):
                found += [f"table {name}={v}" for v in values if _small(v)]
            found += [f"identifier {m}" for v in values for m in ID_VALUE.findall(str(v))]
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        rows = [r for d in chart.proto.datasets for r in _dataset_rows(d)]
        rows += [r for d in (spec.get("datasets") or {}).values() for r in d]
        rows += (spec.get("data") or {}).get("values", []) if isinstance(spec.get("data"), dict) else []
        for r in rows:
            for k, v in (r.items() if isinstance(r, dict) else []):
                if k in IDENTIFIERS:
                    found.append(f"chart identifier field {k}")
                if COUNT_FIELD.search(str(k)) and _small(v):
                    found.append(f"chart {k}={v}")
    for m in at.metric:  # a whole number is a count; rates carry a decimal point or a unit
        if re.fullmatch(r"(10|[1-9])", str(m.value).strip()):
            found.append(f"metric {m.label}={m.value}")
    texts = [e.value for kind in ("markdown", "caption", "text", "info", "warning", "success",
                                  "title", "header", "subheader") for e in at.get(kind)
             if isinstance(getattr(e, "value", None), str)]
    for t in texts:
        found += [f"text '{m.group(0)}'" for m in SMALL_PEOPLE.finditer(t)]
        found += [f"identifier {m}" for m in ID_VALUE.findall(t)]
    return found


def _dataset_rows(dataset) -> list[dict]:
    import io

    import pyarrow as pa

    try:
        table = pa.ipc.open_stream(io.BytesIO(dataset.data.data)).read_all()
    except Exception:
        return []
    return table.to_pylist()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_or_refuses_and_public_pages_leak_nothing(monkeypatch, db, page, role):
    at = _run(monkeypatch, db, page, role)
    assert not at.exception, [e.value for e in at.exception]
    refused = [e.value for e in at.error] == [REFUSED]
    assert refused == (page not in _served(role))
    if role in privacy.PUBLIC and page in INTERNAL_ONLY:
        assert refused, f"{page} must refuse a {role} audience"
    if refused:
        assert not at.dataframe and not at.get("vega_lite_chart")
        return
    if role in privacy.PUBLIC:
        assert _leaks(at) == []


@pytest.mark.parametrize("role", ROLES)
def test_the_router_lands_every_audience_on_a_page_it_may_see(monkeypatch, db, role):
    as_viewer(monkeypatch, role)
    monkeypatch.setenv("CQI_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
    assert not at.exception, [e.value for e in at.exception]
    assert REFUSED not in [e.value for e in at.error]
    if role in privacy.PUBLIC:
        assert _leaks(at) == []
        assert not any("Demo mode" in w.value for w in at.sidebar.warning)


def test_the_scanner_finds_what_it_looks_for(monkeypatch, db):
    # The analyst's overview holds region counts and the unit count; run the scan on it to
    # show the scan is not blind (the same page is clean for the public audiences).
    at = _run(monkeypatch, db, "home.py", "analyst")
    assert any(x.startswith("metric Regions") for x in _leaks(at))
