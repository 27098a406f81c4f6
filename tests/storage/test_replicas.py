"""Several processes on one database file: read-only replicas, the command line, and writes
that swap in a new file (issue 14, "Runs in production").

Every process here is a real one (DuckDB's file lock is per process), and every wait is a
bounded wait on a condition: a line from a child process, a process exit, a health check.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from cqi_core.cli import build_parser
from cqi_core.errors import StoreError
from cqi_core.storage.facts import data_version
from cqi_core.storage.store import Store

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "tests" / "fixtures" / "good"
LOCK_WORDS = re.compile(r"lock|in use|conflict", re.IGNORECASE)

# A reader process: opens the store, prints its data version, then on every line it reads
# calls refresh() and prints the version again (so the test asks, never sleeps).
_READER = """
import sys
from cqi_core.storage.facts import data_version
from cqi_core.storage.store import open_store
store = open_store(sys.argv[1], mode=sys.argv[2])
print("ready", data_version(store), flush=True)
for line in sys.stdin:
    store.refresh()
    print("version", data_version(store), store.scalar("SELECT count(*) FROM children"), flush=True)
"""

# A process that holds the file alone (the old way: CQI_DB_MODE=single) until stdin closes.
_OWNER = """
import sys
from cqi_core.storage.store import open_store
store = open_store(sys.argv[1], mode="single")
print("ready", flush=True)
sys.stdin.read()
"""


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CQI_DB", "CQI_DB_MODE")}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def _cli(*args: str, timeout: int = 240) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cqi_core", *args], cwd=ROOT, env=_env(),
                          capture_output=True, text=True, timeout=timeout)


def _import_args(db: Path, data: Path) -> list[str]:
    args = ["import", str(data), "--db", str(db), "--quiet"]
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    if any("--no-publish" in a.option_strings for a in sub.choices["import"]._actions):
        args.append("--no-publish")  # the public figures are not what these tests are about
    return args


class _Child:
    """A Python child process that answers line by line on stdout."""

    def __init__(self, code: str, *args: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT, env=_env(),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)

    def line(self) -> str:
        """The next line it prints (readline returns at once if it died: then fail)."""
        out = self.proc.stdout.readline()
        if not out:
            self.proc.wait(timeout=30)
            pytest.fail(f"the child process ended: {self.proc.stderr.read()[-3000:]}")
        return out.strip()

    def ask(self) -> list[str]:
        self.proc.stdin.write("refresh\n")
        self.proc.stdin.flush()
        return self.line().split(" ")

    def stop(self) -> str:
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=30)
        return self.proc.stderr.read()


@contextmanager
def _children(*specs: tuple[str, ...]):
    kids = [_Child(*spec) for spec in specs]
    errors: list[str] = []
    try:
        yield kids
    finally:
        for k in kids:
            errors.append(k.stop())
    for e in errors:
        assert not LOCK_WORDS.search(e), e


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _version_now(db: Path) -> str:
    s = Store(db, read_only=True)
    try:
        return data_version(s)
    finally:
        s.close()


def test_two_readers_and_the_command_line_read_one_file_at_once(sample_db_copy):
    db = sample_db_copy
    with _children((_READER, str(db), "replica"), (_READER, str(db), "shared")) as kids:
        ready = [k.line().split(" ") for k in kids]
        assert [r[0] for r in ready] == ["ready", "ready"]
        assert ready[0][1] == ready[1][1]
        # both commands at once, beside the two readers
        runs = [subprocess.Popen([sys.executable, "-m", "cqi_core", *args], cwd=ROOT, env=_env(),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for args in (["status", "--db", str(db)],
                             ["indicators", "--db", str(db), "--start", "2025-10-01",
                              "--end", "2026-09-30", "--indicators", "P1"])]
        outputs = [r.communicate(timeout=240) for r in runs]
        status, ind = (subprocess.CompletedProcess(r.args, r.returncode, *out)
                       for r, out in zip(runs, outputs))
        assert status.returncode == 0, status.stderr
        assert "Database:" in status.stdout
        assert ind.returncode == 0, ind.stderr
        assert "P1" in ind.stdout
        assert not LOCK_WORDS.search(status.stderr + ind.stderr)
        # both readers still answer while the command line ran
        assert [k.ask()[1] for k in kids] == [ready[0][1]] * 2


def test_an_import_lands_while_readers_hold_the_file_and_they_see_it_after_refresh(sample_db_copy):
    db = sample_db_copy
    with _children((_READER, str(db), "replica"), (_READER, str(db), "replica")) as kids:
        before = [k.line().split(" ")[1] for k in kids]
        result = _cli(*_import_args(db, GOOD))
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Import landed" in result.stdout
        after = _version_now(db)
        assert after != before[0]
        answers = [k.ask() for k in kids]
        assert [a[1] for a in answers] == [after, after]
        # the good fixture holds a handful of children, the sample thousands
        assert all(int(a[2]) < 100 for a in answers)
    leftovers = [p.name for p in db.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_a_failed_write_leaves_the_live_file_byte_identical(sample_db_copy):
    db = sample_db_copy
    store = Store(db, mode="shared")  # (brings an older file up to date first, by a swap)
    before = _sha(db)
    try:
        version = data_version(store)
        with pytest.raises(RuntimeError):
            with store.writing() as cur:
                cur.execute("INSERT INTO units VALUES ('UX', 'Extra', 'R', NULL)")
                raise RuntimeError("the change fails half-way")
        assert _sha(db) == before
        assert not store.refresh()
        assert data_version(store) == version
        assert [p.name for p in db.parent.iterdir() if ".tmp" in p.name] == []
        # a write that succeeds swaps a new file in and this store reopens on it
        started = time.perf_counter()
        with store.writing() as cur:
            cur.execute("INSERT INTO settings VALUES ('as_of_date', '2026-06-30')")
        took = time.perf_counter() - started
        assert store.scalar("SELECT value FROM settings WHERE name = 'as_of_date'") == "2026-06-30"
        assert _sha(db) != before
        print(f"one edit through the swap on a {db.stat().st_size / 1e6:.1f} MB file: {took:.2f} s")
    finally:
        store.close()


def test_a_replica_refuses_to_write_and_a_writer_refuses_a_file_held_alone(sample_db_copy):
    db = sample_db_copy
    replica = Store(db, read_only=True)
    try:
        with pytest.raises(StoreError, match="read-only"):
            with replica.writing():
                pass
    finally:
        replica.close()
    before = _sha(db)
    with _children((_OWNER, str(db))) as (owner,):
        assert owner.line() == "ready"
        with pytest.raises(StoreError, match="open for writing by another program") as exc:
            with Store(db, mode="shared").writing():
                pass
        assert "PID" not in str(exc.value)
        assert _sha(db) == before


def test_a_new_database_is_created_through_the_swap(tmp_path):
    db = tmp_path / "new" / "cqi.duckdb"
    store = Store(db, mode="shared")
    try:
        assert db.exists()
        assert store.scalar("SELECT count(*) FROM children") == 0
        assert not store.read_only
    finally:
        store.close()


# ----------------------------------------------------------------------- two app servers

@contextmanager
def _server(db: Path, **env: str):
    """`streamlit run app.py` on a free loopback port (as browser_support.serve runs it),
    keeping its log for the test to read; yields (url, log path)."""
    sys.path.insert(0, str(ROOT / "tests" / "browser"))
    try:
        from browser_support import _free_port, _wait_until_healthy
    finally:
        sys.path.remove(str(ROOT / "tests" / "browser"))
    port = _free_port()
    log_path = Path(tempfile.mkstemp(prefix="streamlit-", suffix=".log")[1])
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true",
             f"--server.port={port}", "--server.address=127.0.0.1",
             "--browser.gatherUsageStats=false"],
            cwd=ROOT, env={**_env(), **env, "CQI_DB": str(db)}, stdout=log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(proc, url, log_path)
        yield url, log_path
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)
        log_path.unlink(missing_ok=True)


def _run_home(url: str, timeout: float = 120) -> str:
    """Run the app's first page once over Streamlit's websocket, as a browser tab does, and
    return the text of what it drew."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    with connect(url.replace("http://", "ws://") + "/_stcore/stream",
                 subprotocols=["streamlit"], max_size=None, open_timeout=30) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = ""
        ws.send(msg.SerializeToString())
        texts: list[str] = []
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                pytest.fail("the page did not finish running:\n" + "\n".join(texts)[-3000:])
            fm = ForwardMsg()
            fm.ParseFromString(ws.recv(timeout=left))
            kind = fm.WhichOneof("type")
            if kind == "delta":
                texts.append(str(fm.delta))
            elif kind == "script_finished":
                return "\n".join(texts)


def _last_import(page: str) -> str:
    found = re.search(r"Last import: [^\"]*", page)
    assert found, page[-3000:]
    return found.group(0)


def test_two_app_servers_and_an_import_on_one_file(sample_db_copy):
    db = sample_db_copy
    with ExitStack() as stack:
        analysts, analysts_log = stack.enter_context(_server(db, CQI_DB_MODE="shared"))
        replica, replica_log = stack.enter_context(_server(db, CQI_DB_MODE="replica"))
        before = [_last_import(_run_home(u)) for u in (analysts, replica)]
        assert before[0] == before[1]
        status = _cli("status", "--db", str(db))
        assert status.returncode == 0, status.stderr
        result = _cli(*_import_args(db, GOOD))
        assert result.returncode == 0, result.stdout + result.stderr
        accepted = re.search(r"Imported ([\d,]+) rows", result.stdout).group(1)
        after = [_last_import(_run_home(u)) for u in (analysts, replica)]
        assert after[0] == after[1] != before[0]
        assert f"{accepted} rows accepted" in after[0]
        for log in (analysts_log, replica_log):
            text = log.read_text(encoding="utf-8", errors="replace")
            assert not LOCK_WORDS.search(text), text[-3000:]
            assert "Traceback" not in text, text[-3000:]
