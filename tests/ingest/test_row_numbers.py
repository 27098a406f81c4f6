"""Row numbers of rejects in a file large enough to be read in parallel.

The reader splits a file of tens of megabytes between threads and the staged table holds
it in many row groups; a reject must still name the row a person finds in the file
(row 1 is the header), and a repeated key the row of its first occurrence.
"""

from __future__ import annotations

from cqi_core.ingest import import_files

ROWS = 1_300_000  # about 45 MB: several read buffers and row groups


def test_rejects_deep_in_a_large_file_name_their_own_rows(store, tmp_path):
    path = tmp_path / "children.csv"
    bad_date, bad_code, repeated = 1_000_000, 1_299_999, ROWS  # data records, 1 = first
    with path.open("w", encoding="utf-8") as out:
        out.write("child_id,birth_date,sex,race_ethnicity\n")
        for n in range(1, ROWS + 1):
            child = "C0000003" if n == repeated else f"C{n:07d}"
            birth = "2015-02-30" if n == bad_date else "2015-03-04"
            sex = "x" if n == bad_code else "female"
            out.write(f"{child},{birth},{sex},white\n")
    result = import_files(store, [path])
    assert result.outcome == "landed"
    got = result.rejects.select("row", "column", "value").rows()
    # the file row is the data record + 1 (the header is row 1)
    assert got == [(1_000_001, "birth_date", "2015-02-30"),
                   (1_300_000, "sex", "x"),
                   (1_300_001, "child_id", "C0000003")]
    reason = result.rejects.filter(result.rejects["column"] == "child_id")["reason"][0]
    assert reason == "repeats the key of row 4 (the first one is kept)"
    assert store.scalar("SELECT count(*) FROM children") == ROWS - 3
