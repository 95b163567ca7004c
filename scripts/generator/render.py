"""Turn planned rows into Arrow tables of canonical-schema text columns, and write them.

Text is built without a Python loop per event: categorical columns are `take`s on small
dictionaries (site.tables()), ids and timestamps are formatted as byte matrices in numpy
and wrapped as Arrow string arrays without copying row by row.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from common.constants import CANONICAL_COLUMNS

from generator import plant as pl
from generator import site as s
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
    plan: pl.RowPlan
    event_key: int
    anon_key: int
    order_no: np.ndarray  # per clean event: order number, -1 if not a purchase

    def __post_init__(self) -> None:
        t = s.tables()
        w = self.world
        self.d_event = pa.array(s.EVENT_NAMES)
        self.d_path = pa.array(t.page_paths)
        self.d_title = pa.array(t.page_titles + t.alt_titles)  # alt title of page k at N_PAGES + k
        self.d_url = pa.array(t.urls)
        self.d_ref = pa.array(t.urls + list(s.EXTERNAL_REFERRERS))
        self.d_props = pa.array(t.props)
        self.d_utm = [pa.array([c[i] for c in s.UTM_COMBOS]) for i in range(3)]
        self.d_device = pa.array(s.DEVICES)
        self.d_country = pa.array(s.COUNTRIES)
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


def build_table(ctx: Context, lo: int, hi: int) -> pa.Table:
    """The canonical-schema table of planned rows [lo, hi)."""
    p, w = ctx.plan, ctx.world
    ev = w.events
    rank = p.src[lo:hi]  # time rank of the clean event each row copies
    src = ctx.order[rank]  # its index in world.events
    kind = p.kind[lo:hi]
    var = p.variant[lo:hi].astype(np.int64)
    sess = ev.session[src]
    vis = w.s_visitor[sess]
    fmt = w.s_ts_format[sess]

    def bad(k: int) -> np.ndarray:
        return kind == k

    event_id = hex_ids("e-", mix64(p.serial[lo:hi].astype(np.uint64), ctx.event_key))
    m = bad(pl.MISSING_EVENT_ID)
    event_id = _replace(event_id, m, [pl.BAD_EVENT_IDS[v] for v in var[m].tolist()])

    event_name = _take(ctx.d_event, ev.ev[src])
    m = bad(pl.MISSING_EVENT_NAME)
    event_name = _replace(event_name, m, [pl.BAD_EVENT_NAMES[v] for v in var[m].tolist()])

    offset = s.COUNTRY_OFFSET_MIN[w.v_country[vis]]
    event_ts = format_ts(ev.t_ms[src] + p.ts_delta_ms[lo:hi], fmt, offset)
    m = bad(pl.BAD_TIMESTAMP)
    event_ts = _replace(event_ts, m, [pl.BAD_TIMESTAMPS[v] for v in var[m].tolist()])
    m = bad(pl.TS_OUT_OF_RANGE)
    event_ts = _replace(event_ts, m, [pl.OUT_OF_RANGE_TIMESTAMPS[v] for v in var[m].tolist()])

    anonymous_id = _take(ctx.anon, vis, ~w.v_has_anon[vis])
    user_id = _take(ctx.user, w.v_person[vis], ~ev.logged[src])
    m = bad(pl.MISSING_IDS)
    anonymous_id = _replace(anonymous_id, m, [pl.BAD_IDS[v][0] for v in var[m].tolist()])
    user_id = _replace(user_id, m, [pl.BAD_IDS[v][1] for v in var[m].tolist()])

    page = ev.page[src]
    ref = ev.ref[src]
    utm = w.s_utm[sess]
    no_utm = ~(ev.landing[src] & w.s_utm_fill[sess] & (utm >= 0))
    utm = np.maximum(utm, 0)
    props = ev.props[src]

    cents = ev.revenue[src]
    has_rev = cents >= 0
    c = cents[has_rev]
    rev_text = pc.binary_join_element_wise(
        pc.cast(pa.array(c // 100), pa.string()), ctx.d_cents.take(pa.array(c % 100)), "."
    )
    revenue = _sparse_text(rev_text, has_rev)
    m = p.bad_revenue[rank]
    revenue = _replace(revenue, m, [pl.BAD_REVENUE] * int(m.sum()))
    order_no = ctx.order_no[rank]
    has_order = order_no >= 0
    order_text = pc.binary_join_element_wise("o-", pc.cast(pa.array(order_no[has_order]), pa.string()), "")

    columns = {
        "event_id": event_id,
        "event_name": event_name,
        "event_ts": event_ts,
        "anonymous_id": anonymous_id,
        "user_id": user_id,
        "page_url": _take(ctx.d_url, ev.url[src]),
        "page_path": _take(ctx.d_path, page, p.path_missing[rank]),
        "page_title": _take(ctx.d_title, page + (kind == pl.DUP_TITLE) * s.N_PAGES),
        "referrer": _take(ctx.d_ref, np.maximum(ref, 0), ref < 0),
        "utm_source": _take(ctx.d_utm[0], utm, no_utm),
        "utm_medium": _take(ctx.d_utm[1], utm, no_utm),
        "utm_campaign": _take(ctx.d_utm[2], utm, no_utm),
        "device_category": _take(ctx.d_device, w.v_device[vis]),
        "country": _take(ctx.d_country, w.v_country[vis]),
        "revenue": revenue,
        "order_id": _sparse_text(order_text, has_order),
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
