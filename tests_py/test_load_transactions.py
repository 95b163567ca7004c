"""The loader's one-transaction-per-file rule, tested where it matters: failures INSIDE the transaction.

A bad row deep in a large file fails after the loader has already handed earlier batches to the
INSERT, and a loader killed with SIGKILL stops in the middle of its INSERT. In both cases nothing of
the file may stay behind (no rows in raw.events, no row in raw.load_log: a load_log row would make
the retry skip the file as "already loaded"), files loaded before are untouched, and the retry loads
the file completely.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import load_events
import pytest
from common import event_files
from common.cli import run_cli
from common.constants import EXIT_ERROR, EXIT_OK

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = REPO / "scripts"
HEADER = "event_id,event_name,event_ts,anonymous_id\n"
GOOD_ROWS_BEFORE_BAD = 300_000  # ~13 MB of CSV: several of the loader's 4 MB CSV blocks
BAD_ROWS: dict[str, bytes] = {
    "wrong_field_count": b"bad-1,page_view,2026-09-01T10:00:00Z,a-1,one field too many\n",
    "invalid_utf8": b"bad-1,page_view,2026-09-01T10:00:00Z,a-\xff\xfe\n",
}

# Runs the loader CLI with two test-only changes: small CSV blocks (many batches per file) and a
# stream that, once `after_rows` rows were handed to DuckDB's INSERT, creates the marker file and then
# slows down, so the test can kill the process in the middle of the INSERT.
KILLABLE_LOADER = """
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from common import event_files
from common.cli import run_cli
import load_events

marker, after_rows = Path(sys.argv[2]), int(sys.argv[3])
event_files.CSV_BLOCK_SIZE = 1 << 16
numbered = event_files.NumberedStream._numbered

def slow_numbered(self):
    for batch in numbered(self):
        yield batch
        if self.rows >= after_rows:
            marker.touch()
            time.sleep(0.05)

event_files.NumberedStream._numbered = slow_numbered
sys.exit(run_cli(load_events.main, sys.argv[4:]))
"""


def event_lines(first: int, count: int) -> bytes:
    return "".join(
        f"e-{number},page_view,2026-09-01T10:{number % 60:02d}:00Z,a-{number % 97}\n"
        for number in range(first, first + count)
    ).encode()


def write_events_csv(path: Path, rows: int, bad_row: bytes | None = None, rows_after_bad: int = 0) -> Path:
    """`rows` good rows, then optionally one bad row (row rows + 1) and more good rows."""
    content = HEADER.encode() + event_lines(1, rows)
    if bad_row is not None:
        content += bad_row + event_lines(rows + 2, rows_after_bad)
    path.write_bytes(content)
    return path


def load(*args: object) -> subprocess.CompletedProcess[str]:
    """Run the loader in this process; same result shape as a subprocess run."""
    out, err = io.StringIO(), io.StringIO()
    argv = [str(arg) for arg in args]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run_cli(load_events.main, argv)
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())


def table_counts(db: Path) -> dict[str, object]:
    """Rows of raw.events and raw.load_log, and the files they name."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            "events": con.execute("select count(*) from raw.events").fetchone()[0],
            "event_files": sorted(
                r[0] for r in con.execute("select distinct _source_file from raw.events").fetchall()
            ),
            "load_log": con.execute(
                "select load_id, source_file, rows from raw.load_log order by load_id"
            ).fetchall(),
        }
    finally:
        con.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "wh" / "test.duckdb"


@pytest.fixture
def rows_handed_to_insert(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Records, per stream that failed, how many rows it had already handed to DuckDB."""
    seen: list[int] = []
    numbered = event_files.NumberedStream._numbered

    def recording(self: event_files.NumberedStream) -> Iterator[object]:
        try:
            yield from numbered(self)
        finally:
            if self.error is not None:
                seen.append(self.rows)

    monkeypatch.setattr(event_files.NumberedStream, "_numbered", recording)
    yield seen


@pytest.mark.parametrize("bad_kind", sorted(BAD_ROWS))
def test_bad_row_deep_in_a_file_rolls_back_everything(
    tmp_path: Path, db: Path, bad_kind: str, rows_handed_to_insert: list[int]
) -> None:
    earlier = write_events_csv(tmp_path / "earlier.csv", 10)
    assert load(earlier, "--db", db).returncode == EXIT_OK
    big = write_events_csv(
        tmp_path / "big.csv", GOOD_ROWS_BEFORE_BAD, BAD_ROWS[bad_kind], rows_after_bad=1000
    )

    result = load(big, "--db", db)

    assert result.returncode == EXIT_ERROR
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {big}: cannot read as csv: "), result.stderr
    assert "Traceback" not in result.stderr
    # the failure came deep inside the INSERT: whole blocks of good rows had been handed to it
    assert rows_handed_to_insert and rows_handed_to_insert[0] >= 100_000
    # nothing of the file is left, load_log included; the earlier file is untouched
    assert table_counts(db) == {
        "events": 10,
        "event_files": [str(earlier)],
        "load_log": [(1, str(earlier), 10)],
    }

    fixed = write_events_csv(big, GOOD_ROWS_BEFORE_BAD)  # the same file, bad row removed
    retry = load(fixed, "--db", db)
    assert retry.returncode == EXIT_OK, retry.stderr
    assert f"loaded {fixed}: {GOOD_ROWS_BEFORE_BAD} rows" in retry.stdout
    assert table_counts(db)["load_log"] == [(1, str(earlier), 10), (2, str(fixed), GOOD_ROWS_BEFORE_BAD)]


def test_failed_file_does_not_stop_the_others(tmp_path: Path, db: Path) -> None:
    first = write_events_csv(tmp_path / "a.csv", 5)
    bad = write_events_csv(tmp_path / "b.csv", GOOD_ROWS_BEFORE_BAD, BAD_ROWS["wrong_field_count"])
    last = write_events_csv(tmp_path / "c.csv", 7)
    result = load(tmp_path, "--db", db)
    assert result.returncode == EXIT_ERROR
    assert "total: 2 files loaded, 12 rows" in result.stdout and "1 failed" in result.stdout
    counts = table_counts(db)
    assert counts["event_files"] == [str(first), str(last)]
    assert [row[1:] for row in counts["load_log"]] == [(str(first), 5), (str(last), 7)]
    assert str(bad) not in str(counts)


def test_killed_loader_leaves_nothing_and_the_retry_loads_the_file(tmp_path: Path, db: Path) -> None:
    earlier = write_events_csv(tmp_path / "earlier.csv", 10)
    assert load(earlier, "--db", db).returncode == EXIT_OK
    rows = 200_000
    big = write_events_csv(tmp_path / "big.csv", rows)
    marker = tmp_path / "inserting"
    loader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            KILLABLE_LOADER,
            str(SCRIPTS),
            str(marker),
            "20000",
            str(big),
            "--db",
            str(db),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ},
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert loader.poll() is None, loader.communicate()
            assert time.monotonic() < deadline, "the loader never started inserting"
            time.sleep(0.01)
        loader.send_signal(signal.SIGKILL)
    finally:
        loader.kill()
        loader.communicate(timeout=60)
    assert loader.returncode == -signal.SIGKILL  # killed, not finished

    assert table_counts(db) == {
        "events": 10,
        "event_files": [str(earlier)],
        "load_log": [(1, str(earlier), 10)],
    }
    retry = load(big, "--db", db)
    assert retry.returncode == EXIT_OK, retry.stderr
    assert f"loaded {big}: {rows} rows" in retry.stdout
    counts = table_counts(db)
    assert counts["events"] == 10 + rows
    assert counts["load_log"] == [(1, str(earlier), 10), (2, str(big), rows)]
