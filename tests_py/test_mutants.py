"""Tests for scripts/mutants.py on tiny catalogs: real mutations of a repository file, grep checks."""

from __future__ import annotations

from pathlib import Path

import mutants
import yaml
from cli_helpers import assert_one_line_error, run_in_process
from common.constants import EXIT_ALERTS, EXIT_OK

# A file of the repository and a line of it that the mutations below change.
TARGET = "README.md"
SNIPPET = "## Quick start"
FOUND = f"grep -q '{SNIPPET}' {TARGET}"


def write_catalog(tmp_path: Path, mutations: list[dict[str, object]], checks: dict[str, list[str]]) -> Path:
    path = tmp_path / "mutants.yml"
    path.write_text(yaml.safe_dump({"checks": checks, "mutations": mutations}))
    return path


def mutation(mutation_id: str, checks: list[str], find: str = SNIPPET) -> dict[str, object]:
    return {
        "id": mutation_id,
        "file": TARGET,
        "find": find,
        "replace": "## Quick stop",
        "checks": checks,
        "why": f"the {mutation_id} bug",
    }


def test_caught_and_not_caught_mutations_are_reported_side_by_side(tmp_path: Path) -> None:
    catalog = write_catalog(
        tmp_path,
        [mutation(f"caught_{n}", ["never", "grep"]) for n in range(3)] + [mutation("missed", ["never"])],
        {"grep": [FOUND], "never": ["true"]},
    )
    result = run_in_process(mutants.main, "--catalog", catalog, "--jobs", "2")
    assert result.returncode == EXIT_ALERTS, result.stderr
    lines = result.stdout.splitlines()
    assert "check grep: passes unmutated" in result.stdout
    for n in range(3):
        assert any(line.startswith(f"caught_{n}: caught by grep (") for line in lines), result.stdout
    assert any(line.startswith("missed: NOT caught (") for line in lines), result.stdout
    assert "with 2 job(s)" in result.stdout
    assert lines[-1] == "mutants: 3/4 caught"
    # The repository's own file is never touched: mutations go to scratch copies.
    assert SNIPPET in (mutants.REPO_ROOT / TARGET).read_text()


def test_all_caught_exits_zero_with_one_job(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path, [mutation("caught", ["grep"])], {"grep": [FOUND]})
    result = run_in_process(mutants.main, "--catalog", catalog, "--jobs", "1")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "mutants: 1/1 caught"


def test_a_check_failing_unmutated_is_an_error(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path, [mutation("caught", ["broken"])], {"broken": ["false"]})
    assert_one_line_error(
        run_in_process(mutants.main, "--catalog", catalog), "check broken fails without any mutation"
    )


def test_a_stale_snippet_is_an_error(tmp_path: Path) -> None:
    catalog = write_catalog(
        tmp_path, [mutation("stale", ["grep"], find="no such text anywhere")], {"grep": [FOUND]}
    )
    assert_one_line_error(run_in_process(mutants.main, "--catalog", catalog), "stale mutations", "stale")


def test_the_project_catalog_matches_the_code() -> None:
    """Every snippet of tests_py/mutants.yml is found exactly once (a refactor must update the catalog)."""
    catalog = mutants.load_catalog(mutants.DEFAULT_CATALOG)
    assert len(catalog.mutations) >= 20
    mutants.check_snippets(mutants.REPO_ROOT, catalog.mutations)
    assert {name for m in catalog.mutations for name in m.checks} <= set(catalog.checks)


def test_mutations_with_the_slowest_checks_run_first() -> None:
    def named(mutation_id: str, checks: tuple[str, ...]) -> mutants.Mutation:
        return mutants.Mutation(mutation_id, TARGET, SNIPPET, "", checks, "")

    quick, slow, both = named("quick", ("unit",)), named("slow", ("build",)), named("both", ("unit", "build"))
    ordered = mutants.longest_first([quick, slow, both], {"unit": 5.0, "build": 200.0})
    assert [m.mutation_id for m in ordered] == ["both", "slow", "quick"]
