"""Mutation check: does the test suite catch realistic bugs?

Usage:
    .venv/bin/python scripts/mutants.py [--catalog tests_py/mutants.yml] [--only ID ...] [--list] [--keep]
                                        [--jobs N]

Each mutation of the catalog replaces one exact snippet of one file (a bug of the kind real changes make).
The script copies the repository's files to one scratch folder per job (--jobs, default 2: one per core of
the reference machine), runs every check the catalog uses on an unmutated copy (each must pass, else the
result would mean nothing), then applies the mutations one at a time in each copy, runs that mutation's
checks in order until one fails (caught) and restores the file. A snippet that
is not found exactly once is a stale mutation: fix the catalog. Prints caught / NOT caught per mutation and
ends with `mutants: C/N caught`. Exit 0 when all are caught, 1 when some are not, 2 on error.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml
from common.cli import CliError, run_cli
from common.constants import EXIT_ALERTS, EXIT_OK, REPO_ROOT

DEFAULT_CATALOG = REPO_ROOT / "tests_py" / "mutants.yml"
CHECK_TIMEOUT_S = 900
DEFAULT_JOBS = 2


@dataclass(frozen=True)
class Mutation:
    """One deliberate bug: in `file`, the snippet `find` (exactly once) becomes `replace`."""

    mutation_id: str
    file: str
    find: str
    replace: str
    checks: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class Catalog:
    checks: dict[str, list[str]]
    mutations: list[Mutation]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG, help="the mutations (YAML)")
    parser.add_argument("--only", nargs="+", default=None, help="run only these mutation ids")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folders (paths printed)")
    parser.add_argument(
        "--jobs", type=int, default=DEFAULT_JOBS, help=f"checks run side by side (default {DEFAULT_JOBS})"
    )
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    return args


def load_catalog(path: Path) -> Catalog:
    if not path.is_file():
        raise CliError(f"{path}: no such catalog")
    document = yaml.safe_load(path.read_text())
    checks = document.get("checks") or {}
    commands = [command for check in checks.values() for command in check]
    if not all(isinstance(command, str) for command in commands):
        raise CliError(f"{path}: every check command must be a string (quote commands that hold ': ')")
    mutations = []
    for entry in document.get("mutations") or []:
        unknown = [name for name in entry["checks"] if name not in checks]
        if unknown:
            raise CliError(f"{path}: mutation {entry['id']}: unknown checks {unknown}")
        mutations.append(
            Mutation(
                mutation_id=entry["id"],
                file=entry["file"],
                find=entry["find"],
                replace=entry["replace"],
                checks=tuple(entry["checks"]),
                why=entry["why"],
            )
        )
    ids = [mutation.mutation_id for mutation in mutations]
    repeated = sorted({mutation_id for mutation_id in ids if ids.count(mutation_id) > 1})
    if repeated:
        raise CliError(f"{path}: repeated mutation ids {repeated}")
    return Catalog(checks, mutations)


def copy_repository(scratch: Path) -> None:
    """The working tree's tracked and new (not ignored) files, plus a link to .venv."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for relative in filter(None, listed.split("\0")):
        source = REPO_ROOT / relative
        if source.is_file():
            target = scratch / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    (scratch / ".venv").symlink_to(REPO_ROOT / ".venv")


def check_snippets(scratch: Path, mutations: list[Mutation]) -> None:
    stale = []
    for mutation in mutations:
        path = scratch / mutation.file
        count = path.read_text().count(mutation.find) if path.is_file() else 0
        if count != 1:
            stale.append(f"{mutation.mutation_id} ({mutation.file}: snippet found {count} times)")
    if stale:
        raise CliError("stale mutations, fix the catalog: " + "; ".join(stale))


def run_check(scratch: Path, commands: list[str]) -> tuple[bool, str]:
    """Run a check's shell commands in order; (passed, last lines of the failing command's output)."""
    env = {**os.environ, "DO_NOT_TRACK": "1", "MICROCONV_TEMP_DIR": str(scratch / "warehouse" / "tmp")}
    for command in commands:
        try:
            result = subprocess.run(
                command,
                shell=True,
                cwd=scratch,
                env=env,
                capture_output=True,
                text=True,
                timeout=CHECK_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return False, f"timed out after {CHECK_TIMEOUT_S} s: {command}"
        if result.returncode != 0:
            tail = (result.stdout + result.stderr).strip().splitlines()[-3:]
            return False, " | ".join(tail)
    return True, ""


class ScratchPool:
    """One scratch copy of the repository per job; a job borrows a free copy for one check or mutation."""

    def __init__(self, copies: list[Path]) -> None:
        self._free = list(copies)
        self._available = threading.Condition()

    def borrow(self) -> Path:
        with self._available:
            self._available.wait_for(lambda: bool(self._free))
            return self._free.pop()

    def give_back(self, scratch: Path) -> None:
        with self._available:
            self._free.append(scratch)
            self._available.notify()


def verify_checks_pass(pool: ScratchPool, catalog: Catalog, names: set[str], jobs: int) -> dict[str, float]:
    """Run each check once unmutated (each must pass); the seconds each took."""

    def verify(name: str) -> tuple[str, float, str | None]:
        scratch = pool.borrow()
        try:
            started = time.monotonic()
            passed, output = run_check(scratch, catalog.checks[name])
            elapsed = time.monotonic() - started
        finally:
            pool.give_back(scratch)
        if not passed:
            return name, elapsed, f"check {name} fails without any mutation: {output}"
        print(f"check {name}: passes unmutated ({elapsed:.0f} s)", flush=True)
        return name, elapsed, None

    with ThreadPoolExecutor(max_workers=jobs) as executor:
        results = list(executor.map(verify, sorted(names)))
    failures = [failure for _, _, failure in results if failure]
    if failures:
        raise CliError("; ".join(failures))
    return {name: elapsed for name, elapsed, _ in results}


def longest_first(mutations: list[Mutation], seconds: dict[str, float]) -> list[Mutation]:
    """The mutations whose checks take longest first (by their unmutated times): the jobs end together."""
    return sorted(mutations, key=lambda mutation: -sum(seconds[name] for name in mutation.checks))


def run_mutation(scratch: Path, catalog: Catalog, mutation: Mutation) -> str | None:
    """Apply the mutation, run its checks until one fails; the name of the check that caught it, or None."""
    path = scratch / mutation.file
    original = path.read_text()
    path.write_text(original.replace(mutation.find, mutation.replace, 1))
    try:
        for name in mutation.checks:
            passed, _ = run_check(scratch, catalog.checks[name])
            if not passed:
                return name
        return None
    finally:
        path.write_text(original)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    catalog = load_catalog(args.catalog)
    mutations = catalog.mutations
    if args.only:
        mutations = [mutation for mutation in mutations if mutation.mutation_id in set(args.only)]
    if args.list:
        for mutation in mutations:
            print(f"{mutation.mutation_id}: {mutation.file}: {mutation.why} [{', '.join(mutation.checks)}]")
        return EXIT_OK
    scratches = [Path(tempfile.mkdtemp(prefix="microconv-mutants-")) for _ in range(args.jobs)]
    try:
        for scratch in scratches:
            copy_repository(scratch)
        check_snippets(scratches[0], mutations)
        pool = ScratchPool(scratches)
        checks_used = {name for mutation in mutations for name in mutation.checks}
        seconds = verify_checks_pass(pool, catalog, checks_used, args.jobs)
        started_all = time.monotonic()

        def run_one(mutation: Mutation) -> bool:
            scratch = pool.borrow()
            try:
                started = time.monotonic()
                caught_by = run_mutation(scratch, catalog, mutation)
            finally:
                pool.give_back(scratch)
            verdict = f"caught by {caught_by}" if caught_by else "NOT caught"
            elapsed = time.monotonic() - started
            print(f"{mutation.mutation_id}: {verdict} ({elapsed:.0f} s): {mutation.why}", flush=True)
            return caught_by is not None

        with ThreadPoolExecutor(max_workers=args.jobs) as executor:
            caught = sum(executor.map(run_one, longest_first(mutations, seconds)))
        print(f"mutations run in {time.monotonic() - started_all:.0f} s with {args.jobs} job(s)")
        print(f"mutants: {caught}/{len(mutations)} caught")
        return EXIT_OK if caught == len(mutations) else EXIT_ALERTS
    finally:
        for scratch in scratches:
            if args.keep:
                print(f"scratch folder kept: {scratch}")
            else:
                shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(run_cli(main))
