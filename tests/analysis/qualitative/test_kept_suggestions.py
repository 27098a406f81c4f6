"""The suggestions the refresh keeps: every excerpt's themes under the codebook in force,
read by the pages and the publication instead of matching every text again. What they read
must be what matching afresh gives, for any period and source, with decisions laid over
them; an edited codebook, or a codebook being previewed, matches afresh."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from cqi_core import open_store, qualitative
from cqi_core.analysis.qualitative import coding


def _reads_kept(store, codebook=None) -> bool:
    sql, _ = coding._statement(store, "coded", codebook or qualitative.load_codebook(store))
    return "$kept_suggestions" in sql


def test_kept_suggestions_read_as_matching_afresh(sample_db_copy):
    store = open_store(sample_db_copy)
    try:
        fresh_all = qualitative.suggest_themes(store)
        fresh_year = qualitative.coded_excerpts(store, date(2025, 10, 1), date(2026, 9, 30))
        fresh_reviews = qualitative.coded_excerpts(store, source_types=["case_review"])
        texts = [qualitative.excerpts(store), qualitative.excerpts(store, date(2026, 1, 1)),
                 qualitative.excerpts(store, None, date(2025, 3, 31), ["feedback"])]
        one = texts[0].row(17, named=True)["excerpt_id"]
        found = coding.find_excerpt(store, one)
        assert not _reads_kept(store)
        assert qualitative.build_suggestions(store) == fresh_all.height > 0
        assert _reads_kept(store)
        # the excerpts are kept too, and read with the same filters
        assert "read_parquet" in coding.excerpts_sql(store)
        again = [qualitative.excerpts(store), qualitative.excerpts(store, date(2026, 1, 1)),
                 qualitative.excerpts(store, None, date(2025, 3, 31), ["feedback"])]
        assert all(a.equals(b) for a, b in zip(again, texts))
        assert all(t.height for t in texts) and texts[1].height < texts[0].height
        assert coding.find_excerpt(store, one) == found and found is not None
        assert qualitative.suggest_themes(store).equals(fresh_all)
        assert qualitative.coded_excerpts(store, date(2025, 10, 1), date(2026, 9, 30)) \
            .equals(fresh_year)
        assert qualitative.coded_excerpts(store, source_types=["case_review"]) \
            .equals(fresh_reviews)
        assert fresh_year.height > 0 and fresh_reviews.height > 0
        # a decision is laid over the kept suggestions as over fresh ones
        first = fresh_reviews.row(0, named=True)
        qualitative.record_decision(store, first["excerpt_id"], first["text_hash"],
                                    first["code"], "reject", "Ana (analyst)")
        after = qualitative.coded_excerpts(store, source_types=["case_review"])
        assert after.height == fresh_reviews.height - 1
        # previewing an edited theme matches afresh; so does the codebook once it is saved
        codebook = qualitative.load_codebook(store)
        theme = codebook.get(first["code"])
        preview = replace(codebook, themes=[
            replace(t, patterns=("zzz never written",)) if t.code == theme.code else t
            for t in codebook.themes])
        assert not _reads_kept(store, preview)
        assert first["code"] not in set(
            qualitative.suggest_themes(store, codebook=preview)["code"])
        qualitative.save_theme(store, replace(theme, patterns=("zzz never written",)), "Ana",
                               "Testing a narrower pattern.")
        assert not _reads_kept(store)
        assert first["code"] not in set(qualitative.suggest_themes(store)["code"])
    finally:
        store.close()


def test_the_kept_file_is_named_the_same_by_every_process(sample_db_copy):
    # The refresh keeps the file in one process and the app reads it in another: the name
    # must not depend on the order a process happens to hold the agency's names in (string
    # hashing differs from process to process).
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys; from cqi_core import open_store, qualitative; "
            "from cqi_core.analysis.qualitative import coding; "
            "st = open_store(sys.argv[1], read_only=True); "
            "h, p = coding._hits(st, qualitative.load_codebook(st)); "
            "print(coding._suggestions_file(st, h, p).name)")
    root = Path(__file__).resolve().parents[3]
    names = {subprocess.run([sys.executable, "-c", code, str(sample_db_copy)], cwd=root,
                            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(root)},
                            capture_output=True, text=True, check=True).stdout.strip()
             for seed in ("1", "2", "3")}
    assert len(names) == 1 and next(iter(names)).startswith("suggestions-")
