"""generate(): simulate, plant, render and write one demo data set."""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from common.constants import (
    GENERATOR_PART_PREFIX,
    INCIDENT_DEVICE,
    INCIDENT_END_OFFSET_DAYS,
    INCIDENT_RATE_FACTOR,
    INCIDENT_START_OFFSET_DAYS,
)

from generator import plant, render, site
from generator.sessions import TS_FORMAT_NAIVE
from generator.simulate import DAY_MS, Window, simulate

PART_PREFIX = GENERATOR_PART_PREFIX
EXTENSIONS: dict[str, str] = {"csv": ".csv", "parquet": ".parquet", "jsonl": ".jsonl"}


@dataclass(frozen=True)
class Result:
    """What a run wrote."""

    files: list[Path]
    rows: int
    seconds: float
    counts: plant.PlantCounts
    incident_start: dt.date
    incident_end: dt.date
    incident_in_window: bool  # False when --days is too short to reach the incident
    phases: dict[str, float]  # seconds: simulate, plan, write


def make_window(start: dt.date, days: int) -> Window:
    start_ms = int(dt.datetime(start.year, start.month, start.day, tzinfo=dt.UTC).timestamp() * 1000)
    return Window(
        start_ms=start_ms,
        end_ms=start_ms + days * DAY_MS,
        start_weekday=start.weekday(),
        incident_lo_ms=start_ms + INCIDENT_START_OFFSET_DAYS * DAY_MS,
        incident_hi_ms=start_ms + (INCIDENT_END_OFFSET_DAYS + 1) * DAY_MS,
        incident_device=site.DEVICES.index(INCIDENT_DEVICE),
        incident_factor=INCIDENT_RATE_FACTOR,
    )


def time_order(t_ms: np.ndarray, start_ms: int) -> np.ndarray:
    """Indices that sort events by time, ties by index; the same on every machine.

    The key is made unique (time in the high bits, index in the low bits) so any sort
    algorithm gives the same order; a stable sort is the fallback when the bits run out.
    """
    n = len(t_ms)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    rel = t_ms - start_ms
    t_bits = max(1, int(rel.max()).bit_length())
    i_bits = max(1, (n - 1).bit_length())
    if rel.min() >= 0 and t_bits + i_bits <= 63:
        return np.argsort((rel << i_bits) | np.arange(n, dtype=np.int64))
    return np.argsort(t_ms, kind="stable")


def part_name(index: int, n_files: int, fmt: str) -> str:
    """events_part_000.csv, ...: sorted file names = load order."""
    width = max(3, len(str(n_files - 1)))
    return f"{PART_PREFIX}{index:0{width}d}{EXTENSIONS[fmt]}"


def stale_parts(out_dir: Path) -> list[Path]:
    """Part files of any format that a previous run left in out_dir."""
    return sorted(
        p
        for ext in EXTENSIONS.values()
        for p in out_dir.glob(f"{PART_PREFIX}*{ext}")
        if p.name[len(PART_PREFIX) : -len(ext)].isdigit()
    )


def generate(
    n_events: int,
    seed: int,
    out_dir: Path,
    fmt: str = "csv",
    start: dt.date = dt.date(2026, 9, 1),
    days: int = 56,
) -> Result:
    """Write exactly `n_events` rows (planted rows included) as part files in `out_dir`."""
    t0 = time.perf_counter()
    win = make_window(start, days)
    ss = np.random.SeedSequence(seed)
    rng_sim, rng_plant = (np.random.default_rng(c) for c in ss.spawn(2))
    event_key, anon_key = (int(k) for k in ss.generate_state(2, dtype=np.uint64))

    counts = plant.plan_counts(n_events)
    world = simulate(rng_sim, win, counts.clean)
    t_sim = time.perf_counter()
    ev = world.events
    sel = world.selected if world.selected is not None else np.arange(len(ev))
    order = sel[time_order(ev.t_ms[sel], win.start_ms)]  # time rank -> event index
    t_sorted = ev.t_ms[order]
    is_purchase = ev.ev[order] == site.E_PURCHASE
    naive = world.s_ts_format[ev.session[order]] == TS_FORMAT_NAIVE
    plan = plant.plan_rows(rng_plant, counts, t_sorted, is_purchase, naive, win.start_ms)
    order_no = np.where(is_purchase, np.cumsum(is_purchase) - 1 + render.ORDER_ID_BASE, -1)
    ctx = render.Context(world, order, plan, event_key, anon_key, order_no)
    t_plan = time.perf_counter()

    out_dir.mkdir(parents=True, exist_ok=True)
    for old in stale_parts(out_dir):
        old.unlink()
    n_files = len(plan.file_bounds) - 1
    files = [out_dir / part_name(f, n_files, fmt) for f in range(n_files)]
    with ThreadPoolExecutor(max_workers=1) as pool:
        for f, path in enumerate(files):
            render.write_file(ctx, int(plan.file_bounds[f]), int(plan.file_bounds[f + 1]), path, fmt, pool)
    t_end = time.perf_counter()
    return Result(
        files=files,
        rows=int(plan.file_bounds[-1]),
        seconds=t_end - t0,
        counts=plan.counts,
        incident_start=start + dt.timedelta(days=INCIDENT_START_OFFSET_DAYS),
        incident_end=start + dt.timedelta(days=INCIDENT_END_OFFSET_DAYS),
        incident_in_window=days > INCIDENT_END_OFFSET_DAYS,
        phases={"simulate": t_sim - t0, "plan": t_plan - t_sim, "write": t_end - t_plan},
    )
