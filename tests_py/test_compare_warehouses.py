"""scripts/compare_warehouses.py: equal row multisets per relation, doubles rounded, clear exit codes."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from compare_warehouses import main

EXIT_EQUAL, EXIT_DIFFERENT, EXIT_ERROR = 0, 1, 2


def _warehouse(path: Path, rows: list[tuple], extra_table: bool = False) -> Path:
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute("create table marts.fct_x (id varchar, amount double, seen_at timestamp)")
    con.executemany("insert into marts.fct_x values (?, ?, ?)", rows)
    if extra_table:
        con.execute("create table marts.fct_y as select 1 as id")
    con.close()
    return path


ROWS = [
    ("a", 1.0, "2026-01-01 00:00:00"),
    ("b", 2.5, "2026-01-02 00:00:00"),
    ("b", 2.5, "2026-01-02 00:00:00"),
]


def test_equal_multisets_in_any_order(tmp_path: Path) -> None:
    expected = _warehouse(tmp_path / "e.duckdb", ROWS)
    actual = _warehouse(tmp_path / "a.duckdb", list(reversed(ROWS)))
    assert main([str(expected), str(actual), "--schemas", "marts"]) == EXIT_EQUAL


def test_doubles_compare_to_the_given_decimals(tmp_path: Path) -> None:
    expected = _warehouse(tmp_path / "e.duckdb", ROWS)
    noisy = [(key, amount + 1e-9, seen) for key, amount, seen in ROWS]
    actual = _warehouse(tmp_path / "a.duckdb", noisy)
    assert main([str(expected), str(actual), "--schemas", "marts"]) == EXIT_EQUAL
    assert main([str(expected), str(actual), "--schemas", "marts", "--decimals", "12"]) == EXIT_DIFFERENT


def test_a_duplicate_row_lost_is_a_difference(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = _warehouse(tmp_path / "e.duckdb", ROWS)
    actual = _warehouse(tmp_path / "a.duckdb", ROWS[:2])
    assert main([str(expected), str(actual), "--schemas", "marts"]) == EXIT_DIFFERENT
    assert (
        "marts.fct_x: 3 / 2 rows: DIFFERS: 1 expected rows missing, 0 unexpected rows"
        in capsys.readouterr().out
    )


def test_a_missing_relation_is_a_difference(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = _warehouse(tmp_path / "e.duckdb", ROWS, extra_table=True)
    actual = _warehouse(tmp_path / "a.duckdb", ROWS)
    assert main([str(expected), str(actual), "--schemas", "marts"]) == EXIT_DIFFERENT
    assert "marts.fct_y" in capsys.readouterr().out


def test_ignored_columns_are_left_out(tmp_path: Path) -> None:
    expected = _warehouse(tmp_path / "e.duckdb", ROWS)
    later = [(key, amount, "2027-01-01 00:00:00") for key, amount, _ in ROWS]
    actual = _warehouse(tmp_path / "a.duckdb", later)
    assert main([str(expected), str(actual), "--schemas", "marts"]) == EXIT_DIFFERENT
    assert (
        main([str(expected), str(actual), "--schemas", "marts", "--ignore-columns", "seen_at"]) == EXIT_EQUAL
    )


def test_ignored_relations_are_left_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = _warehouse(tmp_path / "e.duckdb", ROWS, extra_table=True)
    actual = _warehouse(tmp_path / "a.duckdb", ROWS[:2])
    args = [
        str(expected),
        str(actual),
        "--schemas",
        "marts",
        "--ignore-relations",
        "marts.fct_x",
        "marts.fct_y",
    ]
    assert main(args) == EXIT_EQUAL
    assert "compared 0 relations" in capsys.readouterr().out


def test_a_missing_file_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from common.cli import run_cli

    expected = _warehouse(tmp_path / "e.duckdb", ROWS)
    code = run_cli(main, [str(expected), str(tmp_path / "nope.duckdb")])
    assert code == EXIT_ERROR
    assert capsys.readouterr().err.strip() == f"error: {tmp_path / 'nope.duckdb'}: no such database file"
