"""The tiny agency of the qualitative tests: tests/fixtures/good plus one narrative on an
item rated not applicable, every text short enough to read by eye (see conftest.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[3]
GOOD = ROOT / "tests" / "fixtures" / "good"
HERE = Path(__file__).resolve().parent
TINY_CODEBOOK = HERE / "fixtures" / "tiny_codebook.yaml"
NA_TEXT = "Not applicable: no visits were due in the home during the period."


def write_export(folder: Path) -> Path:
    """Copy the good fixture into `folder` and add the not-applicable narrative."""
    folder.mkdir(parents=True, exist_ok=True)
    for f in GOOD.iterdir():
        shutil.copy(f, folder / f.name)
    book = load_workbook(folder / "case_reviews.xlsx")
    book["Ratings"].append(["CR3", "2", "NA", NA_TEXT])
    book.save(folder / "case_reviews.xlsx")
    return folder
