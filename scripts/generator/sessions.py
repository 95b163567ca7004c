"""Sessions of a batch of visitors: how many, when they start, where they come from and where they land.

Every draw happens in a fixed order (see generator.simulate)."""

from __future__ import annotations

import numpy as np

from generator import site
from generator.draws import INTENT_TAB, LANDING_TAB, NO_PAGE, cumulative, draw_bins, item_for, pick
from generator.world import DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS, Window

# Timestamp formats of a session's events (World.s_ts_format), with their probabilities.
TS_FORMAT_Z, TS_FORMAT_OFFSET, TS_FORMAT_NAIVE = 0, 1, 2  # 'Z' with ms, local + offset with ms, naive UTC
TS_FORMATS = (TS_FORMAT_Z, TS_FORMAT_OFFSET, TS_FORMAT_NAIVE)
P_TS_FORMAT = (0.85, 0.10, 0.05)
MAX_SESSIONS = 20  # per visitor at most
SESSION_MARGIN_MS = 45 * MINUTE_MS  # a session's events end this long before the next session
WARMUP_DAYS = 14  # visitors start before the window (their returns fill its first weeks); dropped

# Sessions per visitor: one, or 1 + geometric; visitors who log in come back more often.
P_SINGLE_SESSION = 0.58
P_MORE_SESSIONS_GEOMETRIC = 0.38
P_LOGIN_EXTRA_SESSIONS_GEOMETRIC = 0.5
# Gap between a visitor's session starts: 2 h plus, often, hours; else days.
MIN_SESSION_GAP_MS = 2 * HOUR_MS
P_SHORT_GAP = 0.3
SHORT_GAP_MEAN_MS = 6 * HOUR_MS
LONG_GAP_MEAN_MS = 3.5 * DAY_MS
P_UTM_COLUMNS_FILLED = 0.5  # else the utm values are only in the landing URL
P_COLOR_QUERY_ON_LANDING = 0.05
ADS_WITH_OWN_REFERRER = ("bing", "instagram")  # ads of these sources come with their site as referrer

HOUR_WEIGHTS = np.array(
    [1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2, 3, 3.5, 3.8, 4, 4.2, 4.2, 4, 3.8, 3.8, 4.2, 5, 5.6, 5.8, 5, 3.5, 2]
)
HOUR_P = HOUR_WEIGHTS / HOUR_WEIGHTS.sum()
WEEKDAY_WEIGHTS = np.array([1.0, 1.0, 1.0, 0.98, 0.92, 0.8, 0.9])  # Mon..Sun
DAYS_PER_WEEK = 7
HOURS_PER_DAY = 24


class Sessions:
    """Session-level attributes for one batch of visitors (local indices), drawn in a fixed order."""

    def __init__(self, rng: np.random.Generator, win: Window, v_login: np.ndarray, v_backend: np.ndarray):
        visitor_count = len(v_login)
        sessions_per_visitor = _draw_sessions_per_visitor(rng, v_login)
        first_start = _draw_first_session_starts(rng, win, visitor_count)
        visitor, start = _draw_session_starts(rng, win, sessions_per_visitor, first_start)
        self._set_order(win, visitor, visitor_count, start)
        self.ts_format = rng.choice(len(TS_FORMATS), len(visitor), p=P_TS_FORMAT).astype(np.int8)
        start = np.where(self.ts_format == TS_FORMAT_NAIVE, start // SECOND_MS * SECOND_MS, start)
        self.start = start
        self.limit = np.minimum(self.next_start - SESSION_MARGIN_MS, win.end_ms - SECOND_MS) - start
        self._draw_traffic_source(rng, v_backend)
        self._draw_landing(rng)

    def _set_order(self, win: Window, visitor: np.ndarray, visitor_count: int, start: np.ndarray) -> None:
        """Session number per visitor, whether it is the visitor's last, and the next session's start."""
        session_count = len(visitor)
        per_visitor = np.bincount(visitor, minlength=visitor_count)
        first_position = np.cumsum(per_visitor) - per_visitor
        self.visitor = visitor
        self.number = np.arange(session_count) - first_position[visitor]
        is_last = np.ones(session_count, dtype=bool)
        is_last[:-1] = visitor[1:] != visitor[:-1]
        self.is_last = is_last
        next_start = np.empty(session_count, dtype=np.int64)
        next_start[:-1] = start[1:]
        next_start[is_last] = win.end_ms + SESSION_MARGIN_MS
        self.next_start = next_start

    def _draw_traffic_source(self, rng: np.random.Generator, v_backend: np.ndarray) -> None:
        """Channel, utm combo, external referrer and whether the utm columns are filled."""
        session_count = len(self.visitor)
        returning = self.number > 0
        channel = np.where(
            returning,
            pick(rng, cumulative(site.CHANNEL_P_RETURN), session_count),
            pick(rng, cumulative(site.CHANNEL_P_FIRST), session_count),
        )
        app_user = v_backend[self.visitor]  # app users come directly or from email
        channel = np.where(app_user & (channel != site.DIRECT), site.EMAIL, channel)
        self.channel = channel.astype(np.int8)
        utm = np.full(session_count, -1, dtype=np.int16)
        for channel_code, (codes, weights) in site.CHANNEL_UTM.items():
            in_channel = channel == channel_code
            utm[in_channel] = np.asarray(codes)[
                pick(rng, cumulative(np.asarray(weights)), int(in_channel.sum()))
            ]
        self.utm = utm
        referrer = np.full(session_count, -1, dtype=np.int32)
        for channel_code, (codes, weights) in site.CHANNEL_REFERRER.items():
            in_channel = channel == channel_code
            referrer[in_channel] = np.asarray(codes)[
                pick(rng, cumulative(np.asarray(weights)), int(in_channel.sum()))
            ]
        for combo, (source, _medium, _campaign) in enumerate(site.UTM_COMBOS):
            if source in ADS_WITH_OWN_REFERRER:
                referrer[utm == combo] = site.EXTERNAL_REFERRERS.index(f"https://www.{source}.com/")
        self.ext_ref = referrer
        self.utm_fill = rng.random(session_count) < P_UTM_COLUMNS_FILLED

    def _draw_landing(self, rng: np.random.Generator) -> None:
        """What the visit is about, where it lands, and the landing URL's query."""
        session_count = len(self.visitor)
        self.intent = INTENT_TAB[self.channel, draw_bins(rng, session_count)]
        self.landing = LANDING_TAB[self.intent, self.channel, draw_bins(rng, session_count)]
        self.landing_item = item_for(
            rng, self.landing, np.full(session_count, NO_PAGE), np.zeros(session_count, dtype=np.int64)
        )
        color = (self.landing == site.PRODUCT) & (rng.random(session_count) < P_COLOR_QUERY_ON_LANDING)
        color_query = site.Q_COLOR_BASE + rng.integers(0, len(site.COLOR_VARIANTS), session_count)
        query = np.where(color, color_query, site.Q_NONE)
        self.landing_query = np.where(self.utm >= 0, site.Q_UTM_BASE + self.utm, query).astype(np.int64)


def _draw_sessions_per_visitor(rng: np.random.Generator, v_login: np.ndarray) -> np.ndarray:
    visitor_count = len(v_login)
    single = rng.random(visitor_count) < P_SINGLE_SESSION
    sessions = np.where(single, 1, 1 + rng.geometric(P_MORE_SESSIONS_GEOMETRIC, visitor_count))
    sessions = sessions + np.where(
        v_login, rng.geometric(P_LOGIN_EXTRA_SESSIONS_GEOMETRIC, visitor_count) - 1, 0
    )
    return np.minimum(sessions, MAX_SESSIONS).astype(np.int64)


def _draw_first_session_starts(rng: np.random.Generator, win: Window, visitor_count: int) -> np.ndarray:
    """A weekday-weighted day (warm-up days included) and a diurnal hour per visitor."""
    day_numbers = np.arange(-WARMUP_DAYS, win.days)
    day_weights = WEEKDAY_WEIGHTS[(day_numbers + win.start_weekday) % DAYS_PER_WEEK]
    day = day_numbers[rng.choice(len(day_numbers), visitor_count, p=day_weights / day_weights.sum())]
    hour = rng.choice(HOURS_PER_DAY, visitor_count, p=HOUR_P)
    return win.start_ms + day * DAY_MS + hour * HOUR_MS + rng.integers(0, HOUR_MS, visitor_count)


def _draw_session_starts(
    rng: np.random.Generator, win: Window, sessions_per_visitor: np.ndarray, first_start: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(visitor, start) per session, visitor by visitor: later sessions start > 2 h after the
    previous one, often days later; sessions starting after the window are dropped."""
    visitor_count = len(sessions_per_visitor)
    session_count = int(sessions_per_visitor.sum())
    visitor = np.repeat(np.arange(visitor_count), sessions_per_visitor)
    first_position = np.cumsum(sessions_per_visitor) - sessions_per_visitor
    short_gap = rng.random(session_count) < P_SHORT_GAP
    gap = np.where(
        short_gap,
        rng.exponential(SHORT_GAP_MEAN_MS, session_count),
        rng.exponential(LONG_GAP_MEAN_MS, session_count),
    ).astype(np.int64)
    gap = gap + MIN_SESSION_GAP_MS
    gap[first_position] = 0
    elapsed = np.cumsum(gap)
    start = first_start[visitor] + elapsed - elapsed[first_position][visitor]
    keep = start < win.end_ms - MINUTE_MS  # a prefix of each visitor's sessions
    return visitor[keep], start[keep]
