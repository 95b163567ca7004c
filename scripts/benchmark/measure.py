"""Measuring the work: wall time of a child process, its peak RSS, and the size of DuckDB's spill folder.

Peak memory of a child process is its ru_maxrss (os.wait4); a Sampler also records the RSS (every
SAMPLE_SECONDS, /proc/PID/status) and the spill folder's size, so a part of a run (one dbt model)
gets its own peak. The reference runs in this process: its peak is VmHWM, reset before it starts.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common.constants import REPO_ROOT

PYTHON = sys.executable
DBT = str(Path(sys.executable).with_name("dbt"))
SAMPLE_SECONDS = 0.25
KIB_PER_MIB = 1024
BYTES_PER_MIB = 2**20


@dataclass
class PhaseResult:
    """One line of the phase table (and of the JSON `phases` list)."""

    phase: str
    seconds: float
    events_per_s: float | None
    peak_rss_mib: float
    peak_spill_mib: float = 0.0
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Sample:
    at: float  # epoch seconds
    rss_kib: int
    spill_bytes: int


def events_per_second(events: int, seconds: float) -> float | None:
    return events / seconds if seconds > 0 else None


def _status_kib(pid: int | str, key: str) -> int:
    """A `key:` line of /proc/PID/status in KiB (0 when unreadable)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(f"{key}:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def rss_kib(pid: int | str) -> int:
    """Current resident memory of a process."""
    return _status_kib(pid, "VmRSS")


def descendants(pid: int) -> list[int]:
    """pid and every process below it (children, their children, ...), from /proc/*/stat."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after "(comm)": state, ppid, ...
            parents[int(stat.parent.name)] = int(fields[1])
    tree, frontier = [pid], [pid]
    while frontier:
        frontier = [child for child, parent in parents.items() if parent in frontier]
        tree += frontier
    return tree


def tree_rss_kib(pid: int | str) -> int:
    """Resident memory of a process and all its descendants (dbt on Spark: Python plus the JVM)."""
    return sum(rss_kib(member) for member in descendants(int(pid)))


def peak_rss_kib_of_this_process() -> int:
    return _status_kib("self", "VmHWM")


def reset_peak_rss_of_this_process() -> bool:
    """Reset this process's peak RSS (Linux >= 4.0); False when the kernel does not allow it."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


def dir_bytes(path: Path) -> int:
    """Total size of the files under `path` (files vanishing meanwhile are skipped)."""
    total = 0
    try:
        for root, _dirs, files in os.walk(path):
            for name in files:
                with contextlib.suppress(OSError):
                    total += os.stat(os.path.join(root, name)).st_size
    except OSError:
        pass
    return total


def memory_gib() -> float | None:
    """Physical memory of the machine."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        return None


class Sampler:
    """Samples the RSS of a process and the size of a spill folder in a background thread."""

    def __init__(self, pid: int | str, spill_dir: Path | None, tree: bool = False) -> None:
        self.pid = pid
        self.spill_dir = spill_dir
        self.rss = tree_rss_kib if tree else rss_kib
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            spill = dir_bytes(self.spill_dir) if self.spill_dir else 0
            self.samples.append(Sample(time.time(), self.rss(self.pid), spill))
            self._stop.wait(SAMPLE_SECONDS)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def peak_between(self, start: float, end: float) -> tuple[int, int]:
        """Highest (RSS KiB, spill bytes) sampled between two epoch times."""
        inside = [s for s in self.samples if start <= s.at <= end]
        return max((s.rss_kib for s in inside), default=0), max((s.spill_bytes for s in inside), default=0)

    @property
    def peak_rss_kib(self) -> int:
        return max((s.rss_kib for s in self.samples), default=0)

    @property
    def peak_spill_bytes(self) -> int:
        return max((s.spill_bytes for s in self.samples), default=0)


@dataclass
class ChildRun:
    seconds: float
    maxrss_kib: int  # ru_maxrss of the child (KiB on Linux)
    exit_code: int
    sampler: Sampler


def run_child(
    cmd: list[str], env: dict[str, str], log: Path, spill_dir: Path | None = None, tree: bool = False
) -> ChildRun:
    """Run cmd to completion with its output in `log`, sampling its memory (with tree: that of its process
    tree) and the spill folder."""
    log.parent.mkdir(parents=True, exist_ok=True)
    # Flush what earlier phases wrote (the loaded database, the anchor funnels' copy): their writeback would
    # otherwise run during this phase and be charged to it.
    os.sync()
    with log.open("w") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=REPO_ROOT)
        with Sampler(proc.pid, spill_dir, tree) as sampler:
            _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return ChildRun(seconds, usage.ru_maxrss, proc.returncode, sampler)


def failure_message(phase: str, exit_code: int, log: Path) -> str:
    """One line naming the phase, its exit code, its log and the last error lines of the log."""
    lines = [line.strip() for line in log.read_text(errors="replace").splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()]
    return f"phase {phase} failed (exit {exit_code}), see {log}: {' | '.join((errors or lines)[-3:])}"
