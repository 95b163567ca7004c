"""What the simulation produces: the window it simulates, the events, and the sessions, visitors and
persons they point to (compact integer codes, turned into text by generator.render)."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
MINUTE_MS = 60_000
SECOND_MS = 1_000


@dataclass(frozen=True)
class Window:
    """The simulated period [start_ms, end_ms) and the payment incident inside it."""

    start_ms: int
    end_ms: int
    start_weekday: int  # 0 = Monday
    incident_lo_ms: int
    incident_hi_ms: int  # exclusive
    incident_device: int
    incident_factor: float

    @property
    def days(self) -> int:
        return (self.end_ms - self.start_ms) // DAY_MS


@dataclass
class Events:
    """One row per simulated (clean) event."""

    session: np.ndarray  # int32, global session index
    t_ms: np.ndarray  # int64, UTC epoch milliseconds
    ev: np.ndarray  # int8, index into site.EVENT_NAMES
    page: np.ndarray  # int16, page key (index into Tables.page_paths)
    url: np.ndarray  # int16, url code (index into Tables.urls)
    ref: np.ndarray  # int16, referrer code (url code, len(urls) + external index, or -1)
    props: np.ndarray  # int16, index into Tables.props or -1
    revenue: np.ndarray  # int32 cents or -1
    logged: np.ndarray  # bool: the event carries the user_id
    landing: np.ndarray  # bool: event on the session's landing page (carries the utm columns)

    def __len__(self) -> int:
        return len(self.session)

    @staticmethod
    def concat(parts: list[Events]) -> Events:
        return Events(**{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Events)})


@dataclass
class World:
    """Simulated events plus the session / visitor / person attributes they point to."""

    events: Events
    s_visitor: np.ndarray  # int64
    s_channel: np.ndarray  # int8
    s_utm: np.ndarray  # int16, utm combo or -1
    s_utm_fill: np.ndarray  # bool: the utm columns are filled (else only in the URL)
    s_ts_format: np.ndarray  # int8: TS_FORMAT_Z, TS_FORMAT_OFFSET or TS_FORMAT_NAIVE
    v_person: np.ndarray  # int64
    v_device: np.ndarray  # int8
    v_country: np.ndarray  # int8
    v_has_anon: np.ndarray  # bool
    n_persons: int
    selected: np.ndarray | None = None  # events kept by the cut to exactly n events (indices)


def empty_events() -> Events:
    none = np.zeros(0, dtype=np.int16)
    return Events(
        session=none.astype(np.int32),
        t_ms=none.astype(np.int64),
        ev=none.astype(np.int8),
        page=none,
        url=none,
        ref=none,
        props=none,
        revenue=none.astype(np.int32),
        logged=none.astype(bool),
        landing=none.astype(bool),
    )


def concat_worlds(worlds: list[World]) -> World:
    return World(
        events=Events.concat([world.events for world in worlds]),
        s_visitor=np.concatenate([world.s_visitor for world in worlds]),
        s_channel=np.concatenate([world.s_channel for world in worlds]),
        s_utm=np.concatenate([world.s_utm for world in worlds]),
        s_utm_fill=np.concatenate([world.s_utm_fill for world in worlds]),
        s_ts_format=np.concatenate([world.s_ts_format for world in worlds]),
        v_person=np.concatenate([world.v_person for world in worlds]),
        v_device=np.concatenate([world.v_device for world in worlds]),
        v_country=np.concatenate([world.v_country for world in worlds]),
        v_has_anon=np.concatenate([world.v_has_anon for world in worlds]),
        n_persons=sum(world.n_persons for world in worlds),
    )
