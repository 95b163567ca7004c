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

from generator.simulate import DAY_MS

MAX_ROWS_PER_FILE = 2_000_000
MIN_EVENTS_FOR_PLANTING = 1_000  # smaller runs are clean (no planted rows)

RATE_DUPLICATES = 0.01
RATE_OUT_OF_ORDER = 0.0002
RATE_INVALID_EACH = 0.0008
RATE_BAD_REVENUE = 0.01  # of purchases
SHARE_DUPLICATES_CHANGED = 0.5
SHARE_DUPLICATES_NEXT_FILE = 0.8

# Row kinds
NORMAL, DUP_EXACT, DUP_TITLE, DUP_TS = 0, 1, 2, 3
MISSING_EVENT_ID, BAD_TIMESTAMP, TS_OUT_OF_RANGE, MISSING_EVENT_NAME, MISSING_IDS = 4, 5, 6, 7, 8
INVALID_KINDS: dict[int, str] = {
    MISSING_EVENT_ID: "missing_event_id",
    BAD_TIMESTAMP: "bad_timestamp",
    TS_OUT_OF_RANGE: "timestamp_out_of_range",
    MISSING_EVENT_NAME: "missing_event_name",
    MISSING_IDS: "missing_ids",
}
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


def plan_rows(
    rng: np.random.Generator,
    counts: PlantCounts,
    t_ms: np.ndarray,
    is_purchase: np.ndarray,
    naive_ts: np.ndarray,
    start_ms: int,
) -> RowPlan:
    """Decide every output row: which clean event it copies, how it is altered, where it goes."""
    n = len(t_ms)
    bounds = file_ranges(t_ms, start_ms)
    n_files = len(bounds) - 1
    file_of = np.repeat(np.arange(n_files), np.diff(bounds))
    lo_of, hi_of = bounds[:-1], bounds[1:]

    def anchor_in(f: np.ndarray) -> np.ndarray:
        return lo_of[f] + (rng.random(len(f)) * (hi_of[f] - lo_of[f])).astype(np.int64)

    def pick(candidates: np.ndarray, k: int) -> np.ndarray:
        return np.sort(candidates[rng.choice(len(candidates), k, replace=False)])

    # out of order: a few events (not of the last file) move into the next file
    n_not_last = int(bounds[-2]) if n_files > 1 else 0
    n_ooo = min(counts.out_of_order, n_not_last)
    ooo = np.sort(rng.choice(n_not_last, n_ooo, replace=False)).astype(np.int64)
    ooo_file = file_of[ooo] + 1
    ooo_anchor = anchor_in(ooo_file)
    taken = np.zeros(n, dtype=bool)
    taken[ooo] = True

    # duplicates: later in the same file or (mostly) in the next one
    n_dup = min(counts.duplicates, n - n_ooo)
    dup_src = pick(np.flatnonzero(~taken), n_dup)
    taken[dup_src] = True
    to_next = (rng.random(n_dup) < SHARE_DUPLICATES_NEXT_FILE) & (file_of[dup_src] < n_files - 1)
    dup_file = file_of[dup_src] + to_next
    same_anchor = dup_src + (rng.random(n_dup) * (hi_of[dup_file] - dup_src)).astype(np.int64)
    dup_anchor = np.where(to_next, anchor_in(dup_file), same_anchor)
    n_changed = round(n_dup * SHARE_DUPLICATES_CHANGED)
    dup_kind = np.full(n_dup, DUP_EXACT, dtype=np.int8)
    changed = rng.choice(n_dup, n_changed, replace=False)
    dup_kind[changed] = np.where(np.arange(n_changed) % 2 == 0, DUP_TITLE, DUP_TS)
    dup_delta = np.where(
        dup_kind == DUP_TS,
        np.where(naive_ts[dup_src], rng.integers(1, 4, n_dup) * 1000, rng.integers(1, 3000, n_dup)),
        0,
    )

    # invalid rows: copies of random events with a fresh event_id, one field broken
    per_kind = [(kind, getattr(counts, name)) for kind, name in INVALID_KINDS.items()]
    inv_kind = np.concatenate([np.full(c, kind, dtype=np.int8) for kind, c in per_kind])
    inv_variant = np.concatenate([np.arange(c) % N_VARIANTS[kind] for kind, c in per_kind])
    n_inv = len(inv_kind)
    inv_src = rng.integers(0, n, n_inv)
    inv_file = file_of[inv_src]
    inv_anchor = anchor_in(inv_file)

    # a few purchases with revenue 'n/a' (not duplicated, so the first copy is the only one)
    purchases = np.flatnonzero(is_purchase & ~taken)
    n_bad_rev = (
        min(len(purchases), max(1, round(RATE_BAD_REVENUE * len(purchases))))
        if counts.rows >= MIN_EVENTS_FOR_PLANTING
        else 0
    )
    bad_revenue = np.zeros(n, dtype=bool)
    bad_revenue[pick(purchases, n_bad_rev)] = True

    # order: clean events stay in time order (ooo ones move); inserted rows go after their
    # anchor. sort key = file, anchor, sub (0 = the anchor itself), then row number.
    n_extra = n_dup + n_inv
    n_rows = n + n_extra
    extra_src = np.concatenate([dup_src, inv_src])
    extra_file = np.concatenate([dup_file, inv_file])
    extra_anchor = np.concatenate([dup_anchor, inv_anchor])
    extra_sub = rng.integers(1, 8, n_extra)
    ooo_sub = rng.integers(1, 8, n_ooo)
    anchor_bits = max(1, int(n).bit_length())
    key = np.empty(n_rows, dtype=np.int64)
    key[:n] = (file_of << (anchor_bits + 3)) | (np.arange(n, dtype=np.int64) << 3)
    key[ooo] = (ooo_file << (anchor_bits + 3)) | (ooo_anchor << 3) | ooo_sub
    key[n:] = (extra_file << (anchor_bits + 3)) | (extra_anchor << 3) | extra_sub
    order = np.argsort(key, kind="stable")  # nearly sorted already: fast
    file_bounds = np.searchsorted(key[order] >> (anchor_bits + 3), np.arange(n_files + 1))

    src = np.concatenate([np.arange(n, dtype=np.int64), extra_src])[order]
    kind = np.concatenate([np.zeros(n, dtype=np.int8), dup_kind, inv_kind])[order]
    variant = np.concatenate([np.zeros(n + n_dup, dtype=np.int8), inv_variant.astype(np.int8)])[order]
    serial = np.concatenate([np.arange(n, dtype=np.int64), dup_src, n + np.arange(n_inv)])[order]
    delta = np.concatenate([np.zeros(n, dtype=np.int64), dup_delta, np.zeros(n_inv, dtype=np.int64)])[order]
    final = PlantCounts(
        **{
            **counts.as_dict(),
            "duplicates": n_dup,
            "duplicates_changed": n_changed,
            "out_of_order": n_ooo,
            "bad_revenue": n_bad_rev,
        }
    )
    return RowPlan(
        src=src,
        kind=kind,
        variant=variant,
        serial=serial,
        ts_delta_ms=delta,
        file_bounds=file_bounds,
        bad_revenue=bad_revenue,
        path_missing=rng.random(n) < 0.10,
        counts=final,
    )
