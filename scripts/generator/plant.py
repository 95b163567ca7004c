"""Lay the simulated events out in files and plant the problems the pipeline must handle.

The clean events arrive here sorted by time. Files are weeks of data (a week with more
than MAX_ROWS_PER_FILE rows is split). On top of the clean events this module adds:
duplicates (same event_id re-emitted later in file order), invalid rows of each kind, a few
events moved to a later file (out of order), and a few purchases with revenue 'n/a'.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass

import numpy as np
from common.constants import REJECT_REASONS

from generator.simulate import DAY_MS

MAX_ROWS_PER_FILE = 2_000_000
MIN_EVENTS_FOR_PLANTING = 1_000  # smaller runs are clean (no planted rows)

RATE_DUPLICATES = 0.01
RATE_OUT_OF_ORDER = 0.0002
RATE_INVALID_EACH = 0.0008
RATE_BAD_REVENUE = 0.01  # of purchases
SHARE_DUPLICATES_CHANGED = 0.5
SHARE_DUPLICATES_NEXT_FILE = 0.8
P_PATH_MISSING = 0.10  # page_path left empty (derivable from page_url)

# Row kinds
NORMAL, DUP_EXACT, DUP_TITLE, DUP_TS = 0, 1, 2, 3
MISSING_EVENT_ID, BAD_TIMESTAMP, TS_OUT_OF_RANGE, MISSING_EVENT_NAME, MISSING_IDS = 4, 5, 6, 7, 8
# invalid row kind -> the reject reason staging gives it (and the PlantCounts field counting it)
INVALID_KINDS: dict[int, str] = dict(
    zip(
        (MISSING_EVENT_ID, BAD_TIMESTAMP, TS_OUT_OF_RANGE, MISSING_EVENT_NAME, MISSING_IDS),
        REJECT_REASONS,
        strict=True,
    )
)
# the text an invalid row carries, by variant (cycled, so every variant appears)
BAD_EVENT_IDS: tuple[str, ...] = ("", "   ")
BAD_TIMESTAMPS: tuple[str, ...] = ("not-a-date", "2026-02-30 10:00:00", "")
OUT_OF_RANGE_TIMESTAMPS: tuple[str, ...] = ("1999-12-31T23:59:59Z", "2099-01-01T00:00:00Z")
BAD_EVENT_NAMES: tuple[str, ...] = ("", "  ")
BAD_IDS: tuple[tuple[str | None, str | None], ...] = ((None, None), ("", ""), ("  ", None))
BAD_REVENUE = "n/a"
N_VARIANTS: dict[int, int] = {
    MISSING_EVENT_ID: len(BAD_EVENT_IDS),
    BAD_TIMESTAMP: len(BAD_TIMESTAMPS),
    TS_OUT_OF_RANGE: len(OUT_OF_RANGE_TIMESTAMPS),
    MISSING_EVENT_NAME: len(BAD_EVENT_NAMES),
    MISSING_IDS: len(BAD_IDS),
}


@dataclass(frozen=True)
class PlantCounts:
    """How many rows of each planted kind a run writes."""

    rows: int
    clean: int
    duplicates: int
    duplicates_changed: int
    out_of_order: int
    missing_event_id: int
    bad_timestamp: int
    timestamp_out_of_range: int
    missing_event_name: int
    missing_ids: int
    bad_revenue: int = 0  # known after simulation (depends on the purchases)

    @property
    def invalid(self) -> int:
        return (
            self.missing_event_id
            + self.bad_timestamp
            + self.timestamp_out_of_range
            + self.missing_event_name
            + self.missing_ids
        )

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def plan_counts(n_rows: int) -> PlantCounts:
    """Planted row counts for a run of `n_rows` rows (clean = the rest)."""

    def k(rate: float) -> int:
        return max(1, round(rate * n_rows)) if n_rows >= MIN_EVENTS_FOR_PLANTING else 0

    dup = k(RATE_DUPLICATES)
    inv = k(RATE_INVALID_EACH)
    return PlantCounts(
        rows=n_rows,
        clean=n_rows - dup - 5 * inv,
        duplicates=dup,
        duplicates_changed=round(dup * SHARE_DUPLICATES_CHANGED),
        out_of_order=k(RATE_OUT_OF_ORDER),
        missing_event_id=inv,
        bad_timestamp=inv,
        timestamp_out_of_range=inv,
        missing_event_name=inv,
        missing_ids=inv,
    )


@dataclass
class RowPlan:
    """All output rows in file order; `src` points to the clean event (time rank) they copy."""

    src: np.ndarray  # int64
    kind: np.ndarray  # int8
    variant: np.ndarray  # int8 (which bad value / which alternative)
    serial: np.ndarray  # int64, the number behind event_id
    ts_delta_ms: np.ndarray  # int64, added to event_ts (changed duplicates)
    file_bounds: np.ndarray  # int64, rows [file_bounds[f], file_bounds[f+1]) go to file f
    bad_revenue: np.ndarray  # bool per clean event: revenue written as 'n/a'
    path_missing: np.ndarray  # bool per clean event: page_path left empty
    counts: PlantCounts


def file_ranges(t_ms: np.ndarray, start_ms: int) -> np.ndarray:
    """Boundaries (in time-sorted clean-event index) of the output files: weeks, split if large."""
    n = len(t_ms)
    week = (t_ms - start_ms) // (7 * DAY_MS)
    cuts = np.flatnonzero(np.diff(week)) + 1 if n else np.zeros(0, dtype=np.int64)
    edges = [0, *cuts.tolist(), n]
    bounds = [0]
    for lo, hi in itertools.pairwise(edges):
        parts = max(1, -(-(hi - lo) // MAX_ROWS_PER_FILE))
        bounds += [lo + (hi - lo) * (i + 1) // parts for i in range(parts)]
    return np.unique(np.asarray(bounds, dtype=np.int64))


@dataclass
class _Inserted:
    """Rows added after an anchor row: the clean event each copies, its file and its anchor."""

    src: np.ndarray
    file: np.ndarray
    anchor: np.ndarray


class _Files:
    """The output files as ranges of time-sorted clean events, and random anchors inside them."""

    def __init__(self, rng: np.random.Generator, t_ms: np.ndarray, start_ms: int) -> None:
        self.rng = rng
        self.bounds = file_ranges(t_ms, start_ms)
        self.count = len(self.bounds) - 1
        self.file_of = np.repeat(np.arange(self.count), np.diff(self.bounds))
        self.first_row, self.end_row = self.bounds[:-1], self.bounds[1:]

    def anchor_in(self, file: np.ndarray) -> np.ndarray:
        """A random clean-event position inside each given file."""
        width = self.end_row[file] - self.first_row[file]
        return self.first_row[file] + (self.rng.random(len(file)) * width).astype(np.int64)


def _pick_sorted(rng: np.random.Generator, candidates: np.ndarray, count: int) -> np.ndarray:
    return np.sort(candidates[rng.choice(len(candidates), count, replace=False)])


def _plan_out_of_order(rng: np.random.Generator, files: _Files, wanted: int) -> _Inserted:
    """A few events (not of the last file) move into the next file."""
    not_last = int(files.bounds[-2]) if files.count > 1 else 0
    moved = np.sort(rng.choice(not_last, min(wanted, not_last), replace=False)).astype(np.int64)
    next_file = files.file_of[moved] + 1
    return _Inserted(src=moved, file=next_file, anchor=files.anchor_in(next_file))


@dataclass
class _Duplicates(_Inserted):
    kind: np.ndarray  # DUP_EXACT, DUP_TITLE or DUP_TS
    ts_delta_ms: np.ndarray
    changed: int


def _plan_duplicates(
    rng: np.random.Generator, files: _Files, wanted: int, taken: np.ndarray, naive_ts: np.ndarray
) -> _Duplicates:
    """Copies later in the same file or (mostly) in the next one; half of them changed (title or ts)."""
    count = min(wanted, int((~taken).sum()))
    src = _pick_sorted(rng, np.flatnonzero(~taken), count)
    taken[src] = True
    to_next = (rng.random(count) < SHARE_DUPLICATES_NEXT_FILE) & (files.file_of[src] < files.count - 1)
    file = files.file_of[src] + to_next
    same_file_anchor = src + (rng.random(count) * (files.end_row[file] - src)).astype(np.int64)
    anchor = np.where(to_next, files.anchor_in(file), same_file_anchor)
    changed = round(count * SHARE_DUPLICATES_CHANGED)
    kind = np.full(count, DUP_EXACT, dtype=np.int8)
    kind[rng.choice(count, changed, replace=False)] = np.where(np.arange(changed) % 2 == 0, DUP_TITLE, DUP_TS)
    whole_seconds = rng.integers(1, 4, count) * 1000
    milliseconds = rng.integers(1, 3000, count)
    ts_delta_ms = np.where(kind == DUP_TS, np.where(naive_ts[src], whole_seconds, milliseconds), 0)
    return _Duplicates(src=src, file=file, anchor=anchor, kind=kind, ts_delta_ms=ts_delta_ms, changed=changed)


@dataclass
class _Invalid(_Inserted):
    kind: np.ndarray  # one of INVALID_KINDS
    variant: np.ndarray  # which bad value of the kind (cycled)


def _plan_invalid(rng: np.random.Generator, files: _Files, counts: PlantCounts, clean: int) -> _Invalid:
    """Copies of random events with a fresh event_id and one field broken, every kind and variant."""
    per_kind = [(kind, getattr(counts, name)) for kind, name in INVALID_KINDS.items()]
    kind = np.concatenate([np.full(count, row_kind, dtype=np.int8) for row_kind, count in per_kind])
    variant = np.concatenate([np.arange(count) % N_VARIANTS[row_kind] for row_kind, count in per_kind])
    src = rng.integers(0, clean, len(kind))
    file = files.file_of[src]
    return _Invalid(src=src, file=file, anchor=files.anchor_in(file), kind=kind, variant=variant)


def _plan_bad_revenue(
    rng: np.random.Generator, counts: PlantCounts, is_purchase: np.ndarray, taken: np.ndarray
) -> np.ndarray:
    """A few purchases with revenue 'n/a' (not duplicated, so the first copy is the only one)."""
    purchases = np.flatnonzero(is_purchase & ~taken)
    planted = 0
    if counts.rows >= MIN_EVENTS_FOR_PLANTING:
        planted = min(len(purchases), max(1, round(RATE_BAD_REVENUE * len(purchases))))
    bad_revenue = np.zeros(len(is_purchase), dtype=bool)
    bad_revenue[_pick_sorted(rng, purchases, planted)] = True
    return bad_revenue


def _row_order(
    rng: np.random.Generator, files: _Files, clean: int, moved: _Inserted, added: _Inserted
) -> tuple[np.ndarray, np.ndarray]:
    """The file order of all rows (clean rows first in the arrays, then `added`) and the files'
    row bounds. Clean events stay in time order (moved ones go to their new place); added rows go
    right after their anchor. Sort key = file, anchor, sub (0 = the anchor itself), row number."""
    added_sub = rng.integers(1, 8, len(added.src))
    moved_sub = rng.integers(1, 8, len(moved.src))
    anchor_bits = max(1, int(clean).bit_length())
    file_shift = anchor_bits + 3
    key = np.empty(clean + len(added.src), dtype=np.int64)
    key[:clean] = (files.file_of << file_shift) | (np.arange(clean, dtype=np.int64) << 3)
    key[moved.src] = (moved.file << file_shift) | (moved.anchor << 3) | moved_sub
    key[clean:] = (added.file << file_shift) | (added.anchor << 3) | added_sub
    order = np.argsort(key, kind="stable")  # nearly sorted already: fast
    file_bounds = np.searchsorted(key[order] >> file_shift, np.arange(files.count + 1))
    return order, file_bounds


def plan_rows(
    rng: np.random.Generator,
    counts: PlantCounts,
    t_ms: np.ndarray,
    is_purchase: np.ndarray,
    naive_ts: np.ndarray,
    start_ms: int,
) -> RowPlan:
    """Decide every output row: which clean event it copies, how it is altered, where it goes."""
    clean = len(t_ms)
    files = _Files(rng, t_ms, start_ms)
    moved = _plan_out_of_order(rng, files, counts.out_of_order)
    taken = np.zeros(clean, dtype=bool)
    taken[moved.src] = True
    duplicates = _plan_duplicates(rng, files, counts.duplicates, taken, naive_ts)
    invalid = _plan_invalid(rng, files, counts, clean)
    bad_revenue = _plan_bad_revenue(rng, counts, is_purchase, taken)
    added = _Inserted(
        src=np.concatenate([duplicates.src, invalid.src]),
        file=np.concatenate([duplicates.file, invalid.file]),
        anchor=np.concatenate([duplicates.anchor, invalid.anchor]),
    )
    order, file_bounds = _row_order(rng, files, clean, moved, added)
    duplicate_count, invalid_count = len(duplicates.src), len(invalid.src)
    no_delta = np.zeros(clean, dtype=np.int64)
    final = PlantCounts(
        **{
            **counts.as_dict(),
            "duplicates": duplicate_count,
            "duplicates_changed": duplicates.changed,
            "out_of_order": len(moved.src),
            "bad_revenue": int(bad_revenue.sum()),
        }
    )
    return RowPlan(
        src=np.concatenate([np.arange(clean, dtype=np.int64), added.src])[order],
        kind=np.concatenate([np.zeros(clean, dtype=np.int8), duplicates.kind, invalid.kind])[order],
        variant=np.concatenate(
            [np.zeros(clean + duplicate_count, dtype=np.int8), invalid.variant.astype(np.int8)]
        )[order],
        serial=np.concatenate(
            [np.arange(clean, dtype=np.int64), duplicates.src, clean + np.arange(invalid_count)]
        )[order],
        ts_delta_ms=np.concatenate(
            [no_delta, duplicates.ts_delta_ms, np.zeros(invalid_count, dtype=np.int64)]
        )[order],
        file_bounds=file_bounds,
        bad_revenue=bad_revenue,
        path_missing=rng.random(clean) < P_PATH_MISSING,
        counts=final,
    )
