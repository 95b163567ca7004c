"""Turn planned rows into Arrow tables of canonical-schema text columns, and write them.

Text is built without a Python loop per event: categorical columns are `take`s on small
dictionaries (site.tables()), ids and timestamps are formatted as byte matrices in numpy
and wrapped as Arrow string arrays without copying row by row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from common.constants import CANONICAL_COLUMNS

from generator import plant, site
from generator.simulate import DAY_MS, MINUTE_MS, World

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_D2 = np.frombuffer("".join(f"{i:02d}" for i in range(100)).encode(), dtype=np.uint8).reshape(100, 2)
_D3 = np.frombuffer("".join(f"{i:03d}" for i in range(1000)).encode(), dtype=np.uint8).reshape(1000, 3)
_EPOCH = dt.date(1970, 1, 1)
USER_ID_BASE = 1000  # user ids are u-1000, u-1001, ...
ORDER_ID_BASE = 100_001


def mix64(x: np.ndarray, key: int) -> np.ndarray:
    """A bijection on uint64 (splitmix64 finalizer of x + key): unique ids that look random."""
    z = x.astype(np.uint64) + np.uint64(key)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def strings_from_matrix(buf: np.ndarray, lengths: np.ndarray | None = None) -> pa.Array:
    """Rows of a uint8 matrix (each cut to its length) as an Arrow string array."""
    n, w = buf.shape
    if lengths is None:
        data = np.ascontiguousarray(buf).reshape(-1)
        offsets = np.arange(n + 1, dtype=np.int64) * w
    else:
        data = buf[np.arange(w) < lengths[:, None]]
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
    if len(data) < 2**31:
        offsets = offsets.astype(np.int32)
        typ = pa.string()
    else:
        typ = pa.large_string()
    arr = pa.Array.from_buffers(typ, n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])
    return arr.cast(pa.string()) if typ != pa.string() else arr


def hex_ids(prefix: str, values: np.ndarray) -> pa.Array:
    """prefix + 16 lowercase hex digits of each uint64."""
    p = prefix.encode()
    n = len(values)
    raw = values.astype(">u8").view(np.uint8).reshape(n, 8)  # big-endian bytes
    buf = np.empty((n, len(p) + 16), dtype=np.uint8)
    buf[:, : len(p)] = np.frombuffer(p, dtype=np.uint8)
    buf[:, len(p) :: 2] = _HEX[raw >> 4]
    buf[:, len(p) + 1 :: 2] = _HEX[raw & 15]
    return strings_from_matrix(buf)


def format_ts(ms: np.ndarray, fmt: np.ndarray, offset_min: np.ndarray) -> pa.Array:
    """ISO-8601 text of UTC epoch ms, by format: 0 '2026-09-03T14:05:09.123Z',
    1 '2026-09-03 16:05:09.123+02:00' (local time + offset), 2 '2026-09-03 14:05:09' (UTC)."""
    n = len(ms)
    if n == 0:
        return pa.array([], type=pa.string())
    off = np.where(fmt == 1, offset_min.astype(np.int64), 0)
    local = ms + off * MINUTE_MS
    day = local // DAY_MS
    rem = local - day * DAY_MS
    d0, d1 = int(day.min()), int(day.max())
    dates = "".join((_EPOCH + dt.timedelta(days=d)).isoformat() for d in range(d0, d1 + 1))
    date_tab = np.frombuffer(dates.encode(), dtype=np.uint8).reshape(-1, 10)
    buf = np.empty((n, 29), dtype=np.uint8)
    buf[:, :10] = date_tab[day - d0]
    buf[:, 10] = np.where(fmt == 0, ord("T"), ord(" "))
    buf[:, 11:13] = _D2[rem // 3_600_000]
    buf[:, 13] = ord(":")
    buf[:, 14:16] = _D2[rem // MINUTE_MS % 60]
    buf[:, 16] = ord(":")
    buf[:, 17:19] = _D2[rem // 1000 % 60]
    buf[:, 19] = ord(".")
    buf[:, 20:23] = _D3[rem % 1000]
    buf[:, 23] = ord("Z")
    with_off = np.flatnonzero(fmt == 1)
    if len(with_off):
        uniq, inv = np.unique(off[with_off], return_inverse=True)
        tab = "".join(f"{'+' if o >= 0 else '-'}{abs(o) // 60:02d}:{abs(o) % 60:02d}" for o in uniq.tolist())
        buf[with_off, 23:29] = np.frombuffer(tab.encode(), dtype=np.uint8).reshape(-1, 6)[inv]
    lengths = np.where(fmt == 0, 24, np.where(fmt == 1, 29, 19))
    return strings_from_matrix(buf, lengths)


def _take(dictionary: pa.Array, idx: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    indices = pa.array(idx, mask=null) if null is not None else pa.array(idx)
    return dictionary.take(indices)


def _replace(arr: pa.Array, mask: np.ndarray, values: list[str | None]) -> pa.Array:
    if not mask.any():
        return arr
    return pc.replace_with_mask(arr, pa.array(mask), pa.array(values, type=pa.string()))


@dataclass
class Context:
    """Everything the renderer needs besides the row plan."""

    world: World
    order: np.ndarray  # time rank (= serial, RowPlan.src) -> index into world.events
    plan: plant.RowPlan
    event_key: int
    anon_key: int
    order_no: np.ndarray  # per clean event: order number, -1 if not a purchase

    def __post_init__(self) -> None:
        t = site.tables()
        w = self.world
        self.d_event = pa.array(site.EVENT_NAMES)
        self.d_path = pa.array(t.page_paths)
        self.d_title = pa.array(t.page_titles + t.alt_titles)  # alt title of page k at N_PAGES + k
        self.d_url = pa.array(t.urls)
        self.d_ref = pa.array(t.urls + list(site.EXTERNAL_REFERRERS))
        self.d_props = pa.array(t.props)
        self.d_utm = [pa.array([c[i] for c in site.UTM_COMBOS]) for i in range(3)]
        self.d_device = pa.array(site.DEVICES)
        self.d_country = pa.array(site.COUNTRIES)
        self.d_cents = pa.array([f"{i:02d}" for i in range(100)])
        nv = len(w.v_person)
        self.anon = hex_ids("a-", mix64(np.arange(nv, dtype=np.uint64), self.anon_key))
        self.user = pc.binary_join_element_wise(
            "u-", pc.cast(pa.array(np.arange(w.n_persons) + USER_ID_BASE), pa.string()), ""
        )


def _sparse_text(values: pa.Array, present: np.ndarray) -> pa.Array:
    """A column that is null except where `present`, which get `values` in order."""
    pos = np.cumsum(present) - 1
    return values.take(pa.array(np.maximum(pos, 0), mask=~present))


@dataclass(frozen=True)
class _Rows:
    """Planned rows [first, end) and what they point to."""

    plan: plant.RowPlan
    world: World
    rank: np.ndarray  # time rank of the clean event each row copies
    event: np.ndarray  # its index in world.events
    session: np.ndarray
    visitor: np.ndarray
    kind: np.ndarray  # plant row kind (NORMAL, DUP_*, invalid kinds)
    variant: np.ndarray

    def of_kind(self, kind: int) -> np.ndarray:
        return self.kind == kind

    def bad_values(self, kind: int, values: Sequence[object]) -> tuple[np.ndarray, list[object]]:
        """The rows of an invalid kind and the bad value each carries (by variant)."""
        rows = self.of_kind(kind)
        return rows, [values[variant] for variant in self.variant[rows].tolist()]


def _planned_rows(ctx: Context, first: int, end: int) -> _Rows:
    rank = ctx.plan.src[first:end]
    event = ctx.order[rank]
    session = ctx.world.events.session[event]
    return _Rows(
        plan=ctx.plan,
        world=ctx.world,
        rank=rank,
        event=event,
        session=session,
        visitor=ctx.world.s_visitor[session],
        kind=ctx.plan.kind[first:end],
        variant=ctx.plan.variant[first:end].astype(np.int64),
    )


def _event_id_column(ctx: Context, rows: _Rows, first: int, end: int) -> pa.Array:
    event_id = hex_ids("e-", mix64(ctx.plan.serial[first:end].astype(np.uint64), ctx.event_key))
    return _replace(event_id, *rows.bad_values(plant.MISSING_EVENT_ID, plant.BAD_EVENT_IDS))


def _event_name_column(ctx: Context, rows: _Rows) -> pa.Array:
    event_name = _take(ctx.d_event, ctx.world.events.ev[rows.event])
    return _replace(event_name, *rows.bad_values(plant.MISSING_EVENT_NAME, plant.BAD_EVENT_NAMES))


def _event_ts_column(ctx: Context, rows: _Rows, first: int, end: int) -> pa.Array:
    world = ctx.world
    offset = site.COUNTRY_OFFSET_MIN[world.v_country[rows.visitor]]
    t_ms = world.events.t_ms[rows.event] + ctx.plan.ts_delta_ms[first:end]
    event_ts = format_ts(t_ms, world.s_ts_format[rows.session], offset)
    event_ts = _replace(event_ts, *rows.bad_values(plant.BAD_TIMESTAMP, plant.BAD_TIMESTAMPS))
    return _replace(event_ts, *rows.bad_values(plant.TS_OUT_OF_RANGE, plant.OUT_OF_RANGE_TIMESTAMPS))


def _id_columns(ctx: Context, rows: _Rows) -> tuple[pa.Array, pa.Array]:
    """anonymous_id (null for app-only persons) and user_id (null until logged in)."""
    world = ctx.world
    anonymous_id = _take(ctx.anon, rows.visitor, ~world.v_has_anon[rows.visitor])
    user_id = _take(ctx.user, world.v_person[rows.visitor], ~world.events.logged[rows.event])
    missing, bad_ids = rows.bad_values(plant.MISSING_IDS, plant.BAD_IDS)
    anonymous_id = _replace(anonymous_id, missing, [ids[0] for ids in bad_ids])
    return anonymous_id, _replace(user_id, missing, [ids[1] for ids in bad_ids])


def _utm_columns(ctx: Context, rows: _Rows) -> dict[str, pa.Array]:
    """utm_* on the landing page of sessions whose utm columns are filled, else null."""
    world = ctx.world
    utm = world.s_utm[rows.session]
    filled = world.events.landing[rows.event] & world.s_utm_fill[rows.session] & (utm >= 0)
    utm = np.maximum(utm, 0)
    names = ("utm_source", "utm_medium", "utm_campaign")
    return {name: _take(ctx.d_utm[part], utm, ~filled) for part, name in enumerate(names)}


def _revenue_column(ctx: Context, rows: _Rows) -> pa.Array:
    """Cents as 'euros.cents' text, null without revenue, 'n/a' where planted."""
    cents = ctx.world.events.revenue[rows.event]
    has_revenue = cents >= 0
    present = cents[has_revenue]
    text = pc.binary_join_element_wise(
        pc.cast(pa.array(present // 100), pa.string()), ctx.d_cents.take(pa.array(present % 100)), "."
    )
    revenue = _sparse_text(text, has_revenue)
    bad = ctx.plan.bad_revenue[rows.rank]
    return _replace(revenue, bad, [plant.BAD_REVENUE] * int(bad.sum()))


def _order_id_column(ctx: Context, rows: _Rows) -> pa.Array:
    order_no = ctx.order_no[rows.rank]
    has_order = order_no >= 0
    text = pc.binary_join_element_wise("o-", pc.cast(pa.array(order_no[has_order]), pa.string()), "")
    return _sparse_text(text, has_order)


def build_table(ctx: Context, first: int, end: int) -> pa.Table:
    """The canonical-schema table of planned rows [first, end)."""
    rows = _planned_rows(ctx, first, end)
    events, world = ctx.world.events, ctx.world
    page = events.page[rows.event]
    referrer = events.ref[rows.event]
    props = events.props[rows.event]
    anonymous_id, user_id = _id_columns(ctx, rows)
    columns = {
        "event_id": _event_id_column(ctx, rows, first, end),
        "event_name": _event_name_column(ctx, rows),
        "event_ts": _event_ts_column(ctx, rows, first, end),
        "anonymous_id": anonymous_id,
        "user_id": user_id,
        "page_url": _take(ctx.d_url, events.url[rows.event]),
        "page_path": _take(ctx.d_path, page, ctx.plan.path_missing[rows.rank]),
        "page_title": _take(ctx.d_title, page + rows.of_kind(plant.DUP_TITLE) * site.N_PAGES),
        "referrer": _take(ctx.d_ref, np.maximum(referrer, 0), referrer < 0),
        **_utm_columns(ctx, rows),
        "device_category": _take(ctx.d_device, world.v_device[rows.visitor]),
        "country": _take(ctx.d_country, world.v_country[rows.visitor]),
        "revenue": _revenue_column(ctx, rows),
        "order_id": _order_id_column(ctx, rows),
        "properties": _take(ctx.d_props, np.maximum(props, 0), props < 0),
    }
    assert tuple(columns) == CANONICAL_COLUMNS
    return pa.table(columns)


class JsonlWriter:
    """JSON Lines, one object per row with every canonical column (null when missing).

    Built with Arrow string kernels, not per row. Only page_title and properties can hold
    characters that need escaping (quotes); the other columns come from fixed dictionaries
    and ids (checked in site.tables()).
    """

    ESCAPED = ("page_title", "properties")

    def __init__(self, path: Path) -> None:
        self._file = path.open("wb")

    def write_table(self, table: pa.Table) -> None:
        parts: list[pa.Array | str] = []
        for i, name in enumerate(CANONICAL_COLUMNS):
            col = table.column(name).combine_chunks()
            if name in self.ESCAPED:
                col = pc.replace_substring(pc.replace_substring(col, "\\", "\\\\"), '"', '\\"')
            parts += [
                ("{" if i == 0 else ",") + f'"{name}":',
                pc.fill_null(pc.binary_join_element_wise('"', col, '"', ""), "null"),
            ]
        parts.append("}\n")
        lines = pc.binary_join_element_wise(*parts, "")
        offsets = np.frombuffer(
            lines.buffers()[1], dtype=np.int32, count=len(lines) + 1, offset=lines.offset * 4
        )
        self._file.write(memoryview(lines.buffers()[2])[offsets[0] : offsets[-1]])

    def close(self) -> None:
        self._file.close()


SCHEMA = pa.schema([(name, pa.string()) for name in CANONICAL_COLUMNS])
CHUNK_ROWS = 262_144  # rows built and written at a time (bounded memory, cache-friendly)


def write_file(ctx: Context, lo: int, hi: int, path: Path, fmt: str, pool: ThreadPoolExecutor) -> None:
    """Write planned rows [lo, hi) to one part file, chunk by chunk; same rows -> same bytes.

    The next chunk is built while `pool` writes the previous one.
    """
    starts = range(lo, hi, CHUNK_ROWS)
    writer: pacsv.CSVWriter | pq.ParquetWriter | JsonlWriter
    if fmt == "csv":
        writer = pacsv.CSVWriter(path, SCHEMA)
    elif fmt == "parquet":
        writer = pq.ParquetWriter(path, SCHEMA, compression="zstd")
    elif fmt == "jsonl":
        writer = JsonlWriter(path)
    else:  # pragma: no cover - validated by the CLI
        raise ValueError(f"unknown format {fmt!r}")
    try:
        pending: Future[None] | None = None
        for a in starts:
            table = build_table(ctx, a, min(a + CHUNK_ROWS, hi))
            if pending is not None:
                pending.result()
            pending = pool.submit(writer.write_table, table)
        if pending is not None:
            pending.result()
    finally:
        writer.close()
