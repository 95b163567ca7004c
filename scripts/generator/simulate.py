"""Simulate visitors, sessions and page-by-page journeys as numpy arrays (no per-event Python loop).

Shape of the simulation:
- persons -> visitors (devices) -> sessions (start times drawn per visitor, gaps > 2 h);
- sessions are simulated in rounds by session number (all first sessions, then all second
  sessions, ...), so a visitor's cart and login state carry over to the next session;
- inside a round, a loop over page steps is vectorized across all sessions still active:
  each step loads one page (a `page_view` plus the other events that fire on that page),
  then draws the next page from a per-intent transition table with funnel rules on top.

The output is a pure function of the random generator's state: every draw happens in a fixed
order, so the same seed gives the same events byte for byte (tests_py/test_generate_events.py
pins the sha256 of a small generated set). When changing this file, keep the order of the draws
unless the output is meant to change.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from generator import site

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
MINUTE_MS = 60_000
SECOND_MS = 1_000

P_BACKEND = 0.01  # persons seen only through user_id (no anonymous_id)
P_LOGIN = 0.31  # persons who log in at some point
P_TWO_DEVICES = 0.10  # of the persons who log in
# Timestamp formats of a session's events (World.s_ts_format), with their probabilities.
TS_FORMAT_Z, TS_FORMAT_OFFSET, TS_FORMAT_NAIVE = 0, 1, 2  # 'Z' with ms, local + offset with ms, naive UTC
TS_FORMATS = (TS_FORMAT_Z, TS_FORMAT_OFFSET, TS_FORMAT_NAIVE)
P_TS_FORMAT = (0.85, 0.10, 0.05)
MAX_STEPS = 60  # pages per session at most
CART_REMINDER_UTM = [combo[2] for combo in site.UTM_COMBOS].index("cart_reminder")
MAX_SESSIONS = 20  # per visitor at most
SESSION_MARGIN_MS = 45 * MINUTE_MS  # a session's events end this long before the next session
EVENTS_PER_PERSON_GUESS = 9.8
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

# Returning visitors (second session on).
P_WARM_READER_COMES_BACK_FOR_LEAD = 0.35
P_CART_OWNER_RESUMES = 0.35
P_RESUME_BY_EMAIL = 0.4  # else directly
P_LOGIN_TRY_BEFORE_LAST_SESSION = 0.5

# Events on a page and the funnel's step rates.
P_LOGIN_ON_CHECKOUT, P_LOGIN_ELSEWHERE = 1.0, 0.25
P_ADD_TO_CART_BASE, P_ADD_TO_CART_MAX = 0.19, 0.9
P_ADD_SHIPPING_INFO = 0.92
P_ADD_PAYMENT_INFO = 0.90
P_LEAD_WARM, P_LEAD_COLD = 0.45, 0.06  # contact form sent by interested readers / others
P_NEWSLETTER_AFTER_DOWNLOAD = 0.05
P_SIGN_UP_ACCOUNT_INTENT, P_SIGN_UP_OTHERS = 0.6, 0.12
P_NEWSLETTER_WITH_DOWNLOAD = 0.3  # an e-book download with the newsletter box ticked
# Items added to the cart at once: 1 (80%), 2 (15%), else 3.
QUANTITY_ONE_BELOW, QUANTITY_TWO_BELOW = 0.8, 0.95
SMALL_ORDER_CENTS, SHIPPING_CENTS = 4_900, 490  # orders below this pay shipping
# Next page.
P_CART_TO_CHECKOUT = 0.62
P_CHECKOUT_TO_SHIPPING = 0.96
P_SHIPPING_TO_PAYMENT = 0.97
P_PAYMENT_TO_CONFIRMATION = 0.78
WARM_READER_TO_CONTACT_ABOVE = 0.6  # warm readers go to the contact form when their draw is above this
COLOR_QUERY_EVERY = 20  # 1 in 20 product page loads has ?color=..

HOUR_WEIGHTS = np.array(
    [1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2, 3, 3.5, 3.8, 4, 4.2, 4.2, 4, 3.8, 3.8, 4.2, 5, 5.6, 5.8, 5, 3.5, 2]
)
HOUR_P = HOUR_WEIGHTS / HOUR_WEIGHTS.sum()
WEEKDAY_WEIGHTS = np.array([1.0, 1.0, 1.0, 0.98, 0.92, 0.8, 0.9])  # Mon..Sun
DAYS_PER_WEEK = 7
HOURS_PER_DAY = 24


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


def _pick(rng: np.random.Generator, cumulative: np.ndarray, count: int) -> np.ndarray:
    """`count` draws of an index from cumulative probabilities (last entry 1)."""
    return np.searchsorted(cumulative, rng.random(count), side="right")


def _cum(weights: np.ndarray) -> np.ndarray:
    """Cumulative probabilities along the last axis (weights normalized, last entry exactly 1)."""
    cumulative = np.cumsum(weights / weights.sum(axis=-1, keepdims=True), axis=-1)
    cumulative[..., -1] = 1.0
    return cumulative


BINS = 4096  # random draws from fixed distributions go through inverse-CDF tables of this size
BIN_MIDPOINTS = (np.arange(BINS) + 0.5) / BINS


def _icdf(cumulative: np.ndarray) -> np.ndarray:
    """Inverse-CDF table(s): cumulative[..., k] -> int8 table[..., BINS] of sampled indices."""
    flat = cumulative.reshape(-1, cumulative.shape[-1])
    table = np.stack([np.searchsorted(row, BIN_MIDPOINTS, side="right") for row in flat]).astype(np.int8)
    return table.reshape(*cumulative.shape[:-1], BINS)


def _bins(rng: np.random.Generator, count: int) -> np.ndarray:
    """`count` random bins (indices into the BINS-sized tables)."""
    return (rng.random(count, dtype=np.float32) * BINS).astype(np.intp)


_POPULAR = (np.arange(site.N_PRODUCTS) * 97) % site.N_PRODUCTS  # a fixed popularity order of products
_CATEGORY_POPULARITY_ORDER = np.array([0, 1, 2, 4, 3, 5, 8, 6, 7, 10, 9, 11])
# item tables by bin: skewed towards the popular items
_POPULAR_PRODUCT_TAB = _POPULAR[(BIN_MIDPOINTS**2.2 * site.N_PRODUCTS).astype(np.int64)]
_IN_CATEGORY_TAB = (BIN_MIDPOINTS**1.8 * site.PRODUCTS_PER_CATEGORY).astype(np.int64) * site.N_CATEGORIES
_CATEGORY_TAB = _CATEGORY_POPULARITY_ORDER[(BIN_MIDPOINTS**1.5 * site.N_CATEGORIES).astype(np.int64)]
_BLOG_TAB = (BIN_MIDPOINTS**1.3 * len(site.BLOG_SLUGS)).astype(np.int64)
_HELP_TAB = (BIN_MIDPOINTS**1.6 * len(site.HELP_SLUGS)).astype(np.int64)
# which candidate item a page type takes (rows of the candidates in _item_for)
ITEM_NONE, ITEM_PRODUCT, ITEM_CATEGORY, ITEM_BLOG, ITEM_HELP = range(5)
_ITEM_KIND = np.full(site.N_PAGE_TYPES + 1, ITEM_NONE, dtype=np.intp)
_ITEM_KIND[[site.PRODUCT, site.CATEGORY, site.BLOG, site.HELP]] = (
    ITEM_PRODUCT,
    ITEM_CATEGORY,
    ITEM_BLOG,
    ITEM_HELP,
)
NO_PAGE = -1  # "from page" of a landing page


def _item_for(
    rng: np.random.Generator, page: np.ndarray, from_page: np.ndarray, from_item: np.ndarray
) -> np.ndarray:
    """Item index for arriving at `page` from (from_page, from_item); from_page NO_PAGE = landing."""
    count = len(page)
    item_bin = _bins(rng, count)
    category_bin = _bins(rng, count)
    from_category = from_page == site.CATEGORY
    product = np.where(from_category, from_item + _IN_CATEGORY_TAB[item_bin], _POPULAR_PRODUCT_TAB[item_bin])
    stays_in_category = (from_page == site.PRODUCT) & (category_bin < BINS // 2)
    category = np.where(stays_in_category, site.sku_category(from_item), _CATEGORY_TAB[item_bin])
    candidates = np.stack(
        [np.zeros(count, dtype=np.int64), product, category, _BLOG_TAB[item_bin], _HELP_TAB[item_bin]]
    )
    return candidates[_ITEM_KIND[page], np.arange(count)]


_LANDING_CUM = _cum(
    np.stack(
        [
            site.SHOP_LANDING_BY_CHANNEL,
            np.tile(site.INTENT_LANDING[site.CONTENT], (site.N_CHANNELS, 1)),
            np.tile(site.INTENT_LANDING[site.LEAD], (site.N_CHANNELS, 1)),
            np.tile(site.INTENT_LANDING[site.ACCOUNT], (site.N_CHANNELS, 1)),
        ]
    )[:, :, : site.N_PAGE_TYPES]
)
_INTENT_TAB = _icdf(_cum(site.INTENT_P_BY_CHANNEL))  # [channel, bin] -> intent
_LANDING_TAB = _icdf(_LANDING_CUM)  # [intent, channel, bin] -> landing page type
_NEXT_TAB = _icdf(site.TRANSITIONS_CUM)  # [intent, page, bin] -> next page
_AFTER_ATC_TAB = _icdf(_cum(site.AFTER_ADD_TO_CART))
_SLOT_P32 = site.SLOT_P.astype(np.float32)
NO_PROPERTIES = -1


def _props_table() -> np.ndarray:
    """[slot, page key] -> properties code (NO_PROPERTIES = null); add_to_cart, search and purchase
    are adjusted per event."""
    tables = site.tables()
    table = np.zeros((site.N_SLOTS, site.N_PAGES), dtype=np.int64)
    table[site.E_PAGE_VIEW] = NO_PROPERTIES
    product = np.arange(site.N_PRODUCTS)
    product_page = site.PAGE_BASE[site.PRODUCT] + product
    for slot in (site.E_VIEW_ITEM, site.E_WISHLIST, site.E_STORE_CHECK, site.E_REVIEW_READ, site.E_SHARE):
        table[slot, product_page] = tables.props_product + product
    table[site.E_ADD_TO_CART, product_page] = tables.props_add_to_cart + product * 3  # + quantity - 1
    table[site.E_VIDEO_START, product_page] = tables.props_video + product % len(site.VIDEO_TITLES)
    blog = np.arange(len(site.BLOG_SLUGS))
    blog_page = site.PAGE_BASE[site.BLOG] + blog
    table[site.E_VIDEO_START, blog_page] = tables.props_video + blog % len(site.VIDEO_TITLES)
    table[site.E_FILE_DOWNLOAD, blog_page] = tables.props_download + blog
    category = np.arange(site.N_CATEGORIES)
    table[site.E_VIEW_ITEM_LIST, site.PAGE_BASE[site.CATEGORY] + category] = tables.props_list + category
    table[site.E_SEARCH] = tables.props_search  # + term
    table[site.E_SCROLL] = tables.props_scroll
    table[site.E_PURCHASE] = tables.props_purchase  # + items - 1
    return table


_PROPS_TAB = _props_table()
# the compact event dtypes (int16 codes) must hold every code
assert len(site.tables().urls) + len(site.EXTERNAL_REFERRERS) < 2**15 and len(site.tables().props) < 2**15


def _quantiles(draw: np.ndarray) -> np.ndarray:
    """BINS quantiles of a sample: a table to draw from with _bins()."""
    return np.quantile(draw, BIN_MIDPOINTS).astype(np.int64)


_QRNG = np.random.default_rng(20260901)  # fixed: the tables are constants, not per-run randomness
# time on a page before the next page load (ms); rare breaks longer than the session timeout
_DWELL_TAB = _quantiles(np.clip(_QRNG.lognormal(np.log(35_000), 1.0, 200_000), 2_000, 25 * MINUTE_MS))
P_LONG_BREAK = 0.003
LONG_BREAK_MS = (31 * MINUTE_MS, 75 * MINUTE_MS)
# gap between two events on the same page (ms)
_GAP_TAB = _quantiles(np.clip(_QRNG.lognormal(np.log(5_000), 0.9, 200_000), 400, 120_000))


def _whole_seconds(ms: np.ndarray, naive: np.ndarray) -> np.ndarray:
    """Durations of sessions with naive timestamps (no milliseconds) in whole seconds, at least 1 s."""
    return np.where(naive, np.maximum(ms // SECOND_MS, 1) * SECOND_MS, ms)


class _Sessions:
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
            _pick(rng, _cum(site.CHANNEL_P_RETURN), session_count),
            _pick(rng, _cum(site.CHANNEL_P_FIRST), session_count),
        )
        app_user = v_backend[self.visitor]  # app users come directly or from email
        channel = np.where(app_user & (channel != site.DIRECT), site.EMAIL, channel)
        self.channel = channel.astype(np.int8)
        utm = np.full(session_count, -1, dtype=np.int16)
        for channel_code, (codes, weights) in site.CHANNEL_UTM.items():
            in_channel = channel == channel_code
            utm[in_channel] = np.asarray(codes)[_pick(rng, _cum(np.asarray(weights)), int(in_channel.sum()))]
        self.utm = utm
        referrer = np.full(session_count, -1, dtype=np.int32)
        for channel_code, (codes, weights) in site.CHANNEL_REFERRER.items():
            in_channel = channel == channel_code
            referrer[in_channel] = np.asarray(codes)[
                _pick(rng, _cum(np.asarray(weights)), int(in_channel.sum()))
            ]
        for combo, (source, _medium, _campaign) in enumerate(site.UTM_COMBOS):
            if source in ADS_WITH_OWN_REFERRER:
                referrer[utm == combo] = site.EXTERNAL_REFERRERS.index(f"https://www.{source}.com/")
        self.ext_ref = referrer
        self.utm_fill = rng.random(session_count) < P_UTM_COLUMNS_FILLED

    def _draw_landing(self, rng: np.random.Generator) -> None:
        """What the visit is about, where it lands, and the landing URL's query."""
        session_count = len(self.visitor)
        self.intent = _INTENT_TAB[self.channel, _bins(rng, session_count)]
        self.landing = _LANDING_TAB[self.intent, self.channel, _bins(rng, session_count)]
        self.landing_item = _item_for(
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


# Visitor state carried from session to session (columns of _PageState with the same names).
CARRY = ("cart_cents", "cart_items", "logged_in", "warm")
WARM_DOWNLOAD, WARM_NEWSLETTER = 1, 2  # bits of `warm`: downloaded an e-book, signed up to the newsletter


class _Column:
    """A named row of _PageState.values (a view, like indexing the matrix)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.index = owner.COLUMNS.index(name)  # type: ignore[attr-defined]

    def __get__(self, state: _PageState, owner: type | None = None) -> np.ndarray:
        return state.values[self.index]

    def __set__(self, state: _PageState, value: np.ndarray) -> None:
        state.values[self.index] = value


class _PageState:
    """The page loop's state of each active session of a round: named int64 columns of one matrix,
    so dropping the sessions that ended is one indexing."""

    COLUMNS = (
        "row",  # the session's position in the round
        "page",  # page type of the current page
        "item",  # item of the current page (product, category, post, help page)
        "query",  # query code of the current page's URL
        "clock_ms",  # ms since the session's start
        "cart_cents",
        "cart_items",
        "logged_in",  # 1: the events carry the user_id
        "previous_url",  # url code of the previous page
        "intent",
        "channel",
        "device",
        "start_ms",
        "limit_ms",  # the session's events end before start_ms + limit_ms
        "naive",  # 1: timestamps without milliseconds
        "global_session",
        "may_log_in",
        "external_referrer",  # referrer code of the landing page, -1 none
        "warm",  # content interest bits (WARM_DOWNLOAD, WARM_NEWSLETTER)
    )
    row = _Column()
    page = _Column()
    item = _Column()
    query = _Column()
    clock_ms = _Column()
    cart_cents = _Column()
    cart_items = _Column()
    logged_in = _Column()
    previous_url = _Column()
    intent = _Column()
    channel = _Column()
    device = _Column()
    start_ms = _Column()
    limit_ms = _Column()
    naive = _Column()
    global_session = _Column()
    may_log_in = _Column()
    external_referrer = _Column()
    warm = _Column()

    def __init__(self, count: int) -> None:
        self.values = np.empty((len(self.COLUMNS), count), dtype=np.int64)

    def __len__(self) -> int:
        return self.values.shape[1]

    def keep(self, mask: np.ndarray) -> None:
        """Drop the sessions where mask is False (unless none is dropped)."""
        if not mask.all():
            self.values = self.values[:, mask]


def _return_visits(
    rng: np.random.Generator, sessions: _Sessions, sids: np.ndarray, warm: np.ndarray, cart_items: np.ndarray
) -> None:
    """Second session on: interested content readers come back for a lead; visitors with a cart come
    back to it, from a cart reminder email or directly."""
    count = len(sids)
    lead = sids[(warm > 0) & (rng.random(count) < P_WARM_READER_COMES_BACK_FOR_LEAD)]
    sessions.intent[lead] = site.LEAD
    sessions.landing[lead] = _LANDING_TAB[site.LEAD, sessions.channel[lead], _bins(rng, len(lead))]
    sessions.landing_item[lead] = _item_for(
        rng, sessions.landing[lead], np.full(len(lead), NO_PAGE), np.zeros(len(lead), int)
    )
    resume = sids[(cart_items > 0) & (rng.random(count) < P_CART_OWNER_RESUMES)]
    by_email = rng.random(len(resume)) < P_RESUME_BY_EMAIL
    sessions.landing[resume] = site.CART
    sessions.landing_item[resume] = 0
    sessions.intent[resume] = site.SHOP
    sessions.channel[resume] = np.where(by_email, site.EMAIL, site.DIRECT)
    sessions.utm[resume] = np.where(by_email, CART_REMINDER_UTM, -1)
    sessions.ext_ref[resume] = -1
    sessions.landing_query[resume] = np.where(by_email, site.Q_UTM_BASE + CART_REMINDER_UTM, site.Q_NONE)


def _landing_state(
    sessions: _Sessions,
    sids: np.ndarray,
    carry: dict[str, np.ndarray],
    may_log_in: np.ndarray,
    device: np.ndarray,
    n_urls: int,
    session_offset: int,
) -> _PageState:
    """The page loop's state on the landing page of each session of the round."""
    state = _PageState(len(sids))
    state.row = np.arange(len(sids))
    state.page = sessions.landing[sids]
    state.item = sessions.landing_item[sids]
    state.intent = sessions.intent[sids]
    state.query = sessions.landing_query[sids]
    state.clock_ms = 0
    for name in CARRY:
        setattr(state, name, carry[name])
    state.previous_url = -1
    state.channel = sessions.channel[sids]
    state.device = device
    state.start_ms = sessions.start[sids]
    state.limit_ms = sessions.limit[sids]
    state.naive = sessions.ts_format[sids] == TS_FORMAT_NAIVE
    state.global_session = sids + session_offset
    state.may_log_in = may_log_in
    external = sessions.ext_ref[sids]
    state.external_referrer = np.where(external >= 0, n_urls + external.astype(np.int64), -1)
    return state


def _spend_time_on_page(rng: np.random.Generator, state: _PageState) -> None:
    """Advance each session's clock by the time on the previous page (rarely a long break); the
    sessions whose clock passes their limit end."""
    count = len(state)
    dwell = _DWELL_TAB[_bins(rng, count)]
    long_break = rng.random(count, dtype=np.float32) < P_LONG_BREAK
    if long_break.any():
        dwell[long_break] = rng.integers(*LONG_BREAK_MS, int(long_break.sum()))
    state.clock_ms += _whole_seconds(dwell, state.naive != 0)
    state.keep(state.clock_ms <= state.limit_ms)


def _event_probabilities(win: Window, state: _PageState, step: int) -> np.ndarray:
    """[session, slot] probability that each event fires on the current page."""
    page, intent, channel, device = state.page, state.intent, state.channel, state.device
    logged_in = state.logged_in != 0
    probability = _SLOT_P32[page]
    if step == 0:
        probability[:, site.E_EMAIL_CLICK] = channel == site.EMAIL
    p_login = np.where(page == site.CHECKOUT, P_LOGIN_ON_CHECKOUT, P_LOGIN_ELSEWHERE)
    probability[:, site.E_LOGIN] = np.where((state.may_log_in != 0) & ~logged_in, p_login, 0.0)
    p_add_to_cart = np.minimum(
        P_ADD_TO_CART_BASE * site.CHANNEL_ATC_MULT[channel] * site.INTENT_ATC_MULT[intent], P_ADD_TO_CART_MAX
    )
    probability[:, site.E_ADD_TO_CART] = np.where(page == site.PRODUCT, p_add_to_cart, 0.0)
    p_shipping = P_ADD_SHIPPING_INFO * site.DEVICE_CHECKOUT_MULT[device]
    probability[:, site.E_ADD_SHIPPING_INFO] = np.where(page == site.SHIPPING, p_shipping, 0.0)
    now = state.start_ms + state.clock_ms
    broken = (device == win.incident_device) & (now >= win.incident_lo_ms) & (now < win.incident_hi_ms)
    p_payment = (
        P_ADD_PAYMENT_INFO * site.DEVICE_PAYMENT_MULT[device] * np.where(broken, win.incident_factor, 1.0)
    )
    probability[:, site.E_ADD_PAYMENT_INFO] = np.where(page == site.PAYMENT, p_payment, 0.0)
    warm = state.warm
    p_lead = np.where((intent == site.LEAD) | (warm > 0), P_LEAD_WARM, P_LEAD_COLD)
    probability[:, site.E_GENERATE_LEAD] = np.where(page == site.CONTACT, p_lead, 0.0)
    probability[:, site.E_NEWSLETTER] += np.where(
        (warm & WARM_DOWNLOAD) > 0, P_NEWSLETTER_AFTER_DOWNLOAD, 0.0
    )
    p_sign_up = np.where(intent == site.ACCOUNT, P_SIGN_UP_ACCOUNT_INTENT, P_SIGN_UP_OTHERS)
    probability[:, site.E_SIGN_UP] = np.where((page == site.SIGNUP) & ~logged_in, p_sign_up, 0.0)
    return probability


def _fire_events(
    rng: np.random.Generator, probability: np.ndarray, warm: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """[session, slot] whether each event fires, and each session's draw for the warm-reader rules."""
    fired = rng.random(probability.shape, dtype=np.float32) < probability
    fired[:, site.E_ADD_TO_CART] &= fired[:, site.E_VIEW_ITEM]
    warm_draw = rng.random(len(probability), dtype=np.float32)
    with_newsletter = warm_draw < P_NEWSLETTER_WITH_DOWNLOAD
    fired[:, site.E_NEWSLETTER] |= (
        fired[:, site.E_FILE_DOWNLOAD] & with_newsletter & ((warm & WARM_NEWSLETTER) == 0)
    )
    return fired, warm_draw


def _draw_quantity(rng: np.random.Generator, count: int) -> np.ndarray:
    quantity_bin = _bins(rng, count)
    return np.where(
        quantity_bin < QUANTITY_ONE_BELOW * BINS, 1, np.where(quantity_bin < QUANTITY_TWO_BELOW * BINS, 2, 3)
    )


@dataclass
class _Page:
    """The current page of each active session, as the events see it."""

    key: np.ndarray  # page key (page type base + item)
    url: np.ndarray  # url code
    referrer: np.ndarray  # referrer code
    quantity: np.ndarray  # items an add_to_cart on this page adds


def _current_page(rng: np.random.Generator, state: _PageState, step: int) -> _Page:
    quantity = _draw_quantity(rng, len(state))
    key = site.PAGE_BASE[state.page] + state.item
    return _Page(
        key=key,
        url=key * site.N_QUERY + state.query,
        referrer=state.external_referrer if step == 0 else state.previous_url,
        quantity=quantity,
    )


def _emit_events(
    rng: np.random.Generator,
    win: Window,
    state: _PageState,
    step: int,
    page: _Page,
    fired: np.ndarray,
    logged_in_after: np.ndarray,
) -> Events:
    """The fired events of the page in slot order, a small gap after each but the first; the clock
    moves past them. Events outside the window (warm-up, overflow) are dropped."""
    session_row, slot = np.nonzero(fired)
    count = len(session_row)
    first_of_page = np.ones(count, dtype=bool)
    first_of_page[1:] = session_row[1:] != session_row[:-1]
    gap = _whole_seconds(_GAP_TAB[_bins(rng, count)], state.naive[session_row] != 0)
    gap[first_of_page] = 0
    elapsed = np.cumsum(gap)
    page_first_event = np.maximum.accumulate(np.where(first_of_page, np.arange(count), 0))
    t_ms = (state.start_ms + state.clock_ms)[session_row] + elapsed - elapsed[page_first_event]
    state.clock_ms += np.bincount(session_row, weights=gap, minlength=len(state)).astype(np.int64)
    props, revenue = _event_properties(rng, state, page, session_row, slot)
    inside = (t_ms >= win.start_ms) & (t_ms < win.end_ms)
    if not inside.all():
        session_row, slot, t_ms, props, revenue = (
            session_row[inside],
            slot[inside],
            t_ms[inside],
            props[inside],
            revenue[inside],
        )
    logged_in = state.logged_in != 0
    return Events(
        session=state.global_session[session_row].astype(np.int32),
        t_ms=t_ms,
        ev=slot.astype(np.int8),
        page=page.key[session_row].astype(np.int16),
        url=page.url[session_row].astype(np.int16),
        ref=page.referrer[session_row].astype(np.int16),
        props=props.astype(np.int16),
        revenue=revenue,
        logged=np.where(slot < site.E_LOGIN, logged_in[session_row], logged_in_after[session_row]),
        landing=np.full(len(session_row), step == 0),
    )


def _event_properties(
    rng: np.random.Generator, state: _PageState, page: _Page, session_row: np.ndarray, slot: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Properties code and revenue (cents, -1 none) of each event."""
    props = _PROPS_TAB[slot, page.key[session_row]]
    add_to_cart = np.flatnonzero(slot == site.E_ADD_TO_CART)
    props[add_to_cart] += page.quantity[session_row[add_to_cart]] - 1
    search = np.flatnonzero(slot == site.E_SEARCH)
    props[search] += rng.integers(0, len(site.SEARCH_TERMS), len(search))
    purchase = np.flatnonzero(slot == site.E_PURCHASE)
    cart_items, cart_cents = state.cart_items[session_row[purchase]], state.cart_cents[session_row[purchase]]
    props[purchase] += np.clip(cart_items, 1, site.tables().max_purchase_items) - 1
    revenue = np.full(len(slot), -1, dtype=np.int32)
    revenue[purchase] = cart_cents + np.where(cart_cents < SMALL_ORDER_CENTS, SHIPPING_CENTS, 0)
    return props, revenue


def _update_visitor_state(
    state: _PageState,
    page: _Page,
    fired: np.ndarray,
    logged_in_after: np.ndarray,
    final: dict[str, np.ndarray],
) -> None:
    """Cart, login and content interest after the page; recorded in `final` for the next session."""
    added = fired[:, site.E_ADD_TO_CART]
    purchased = fired[:, site.E_PURCHASE]
    price = site.PRICE_CENTS[np.where(state.page == site.PRODUCT, state.item, 0)]
    cart_cents, cart_items = state.cart_cents, state.cart_items
    state.cart_cents = np.where(purchased, 0, np.where(added, cart_cents + price * page.quantity, cart_cents))
    state.cart_items = np.where(purchased, 0, np.where(added, cart_items + page.quantity, cart_items))
    state.logged_in = logged_in_after | fired[:, site.E_SIGN_UP]
    state.warm = (
        state.warm
        | fired[:, site.E_FILE_DOWNLOAD] * WARM_DOWNLOAD
        | fired[:, site.E_NEWSLETTER] * WARM_NEWSLETTER
    )
    for name in CARRY:
        final[name][state.row] = getattr(state, name)


def _go_to_next_page(
    rng: np.random.Generator,
    state: _PageState,
    step: int,
    page: _Page,
    fired: np.ndarray,
    warm_draw: np.ndarray,
) -> None:
    """Draw the next page (transition table, then the funnel rules), its item and query; the sessions
    that exit end."""
    count = len(state)
    current, channel, device = state.page, state.channel, state.device
    next_bin = _bins(rng, count)
    following = _NEXT_TAB[state.intent, current, next_bin].astype(np.int64)
    following = np.where(fired[:, site.E_ADD_TO_CART], _AFTER_ATC_TAB[_bins(rng, count)], following)
    funnel_draw = rng.random(count, dtype=np.float32)
    p_checkout = P_CART_TO_CHECKOUT * site.CHANNEL_CHECKOUT_MULT[channel] * site.DEVICE_CHECKOUT_MULT[device]
    following = np.where((current == site.CART) & (funnel_draw < p_checkout), site.CHECKOUT, following)
    p_shipping = P_CHECKOUT_TO_SHIPPING * site.DEVICE_CHECKOUT_MULT[device]
    following = np.where((current == site.CHECKOUT) & (funnel_draw < p_shipping), site.SHIPPING, following)
    to_payment = fired[:, site.E_ADD_SHIPPING_INFO] & (funnel_draw < P_SHIPPING_TO_PAYMENT)
    following = np.where(to_payment, site.PAYMENT, following)
    p_confirmation = P_PAYMENT_TO_CONFIRMATION * (1 + site.CHANNEL_CHECKOUT_MULT[channel]) / 2
    to_confirmation = fired[:, site.E_ADD_PAYMENT_INFO] & (funnel_draw < p_confirmation)
    following = np.where(to_confirmation, site.CONFIRMATION, following)
    if step == 0:
        bounce = rng.random(count, dtype=np.float32) < site.CHANNEL_BOUNCE[channel]
        following = np.where(bounce, site.EXIT, following)
    following = np.where((following == site.CART) & (state.cart_items == 0), site.PRODUCT, following)
    # readers who downloaded an e-book or subscribed often go on to the contact form
    reader = (current >= site.BLOG) & (current != site.CONTACT)
    to_contact = (state.warm > 0) & (warm_draw > WARM_READER_TO_CONTACT_ABOVE) & reader
    following = np.where(to_contact, site.CONTACT, following)
    if step == MAX_STEPS - 1:
        following[:] = site.EXIT
    state.item = _item_for(rng, following, current, state.item)
    color = (following == site.PRODUCT) & (next_bin % COLOR_QUERY_EVERY == 0)
    color_query = site.Q_COLOR_BASE + (next_bin // COLOR_QUERY_EVERY) % len(site.COLOR_VARIANTS)
    state.query = np.where(color, color_query, site.Q_NONE)
    state.previous_url = page.url
    state.page = following
    state.keep(following != site.EXIT)


def _visit_page(
    rng: np.random.Generator, win: Window, state: _PageState, step: int, final: dict[str, np.ndarray]
) -> Events:
    """One page of every active session: its events, the state after it, the next page."""
    fired, warm_draw = _fire_events(rng, _event_probabilities(win, state, step), state.warm)
    logged_in_after = (state.logged_in != 0) | fired[:, site.E_LOGIN]
    page = _current_page(rng, state, step)
    events = _emit_events(rng, win, state, step, page, fired, logged_in_after)
    _update_visitor_state(state, page, fired, logged_in_after, final)
    _go_to_next_page(rng, state, step, page, fired, warm_draw)
    return events


def _simulate_round(
    rng: np.random.Generator,
    win: Window,
    sessions: _Sessions,
    sids: np.ndarray,
    carry: dict[str, np.ndarray],
    may_log_in: np.ndarray,
    device: np.ndarray,
    n_urls: int,
    session_offset: int,
) -> tuple[list[Events], dict[str, np.ndarray]]:
    """Simulate the sessions `sids` (one round) from the visitors' carried state (CARRY);
    return the events and the state after each session."""
    final = {name: carry[name].astype(np.int64) for name in CARRY}
    if len(sids) and int(sessions.number[sids[0]]) > 0:
        _return_visits(rng, sessions, sids, carry["warm"], carry["cart_items"])
    state = _landing_state(sessions, sids, carry, may_log_in, device, n_urls, session_offset)
    out: list[Events] = []
    for step in range(MAX_STEPS):
        if step > 0 and len(state):
            _spend_time_on_page(rng, state)
        if len(state) == 0:
            break
        out.append(_visit_page(rng, win, state, step, final))
    return out, final


def _simulate_batch(
    rng: np.random.Generator, win: Window, n_persons: int, person0: int, visitor0: int, session0: int
) -> World:
    """Simulate `n_persons` persons; indices are offset so batches can be concatenated."""
    backend = rng.random(n_persons) < P_BACKEND
    login = ~backend & (rng.random(n_persons) < P_LOGIN)
    two_devices = login & (rng.random(n_persons) < P_TWO_DEVICES)
    country = _pick(rng, _cum(site.COUNTRY_P), n_persons).astype(np.int8)
    v_person = np.repeat(np.arange(n_persons), 1 + two_devices.astype(np.int64))
    visitor_count = len(v_person)
    second_device = np.zeros(visitor_count, dtype=bool)
    second_device[1:] = v_person[1:] == v_person[:-1]
    device = _pick(rng, _cum(site.DEVICE_P), visitor_count).astype(np.int8)
    first_device = np.roll(device, 1)
    other_device = np.where(first_device == site.DESKTOP, site.MOBILE, site.DESKTOP)
    device = np.where(second_device, other_device, device).astype(np.int8)
    v_backend = backend[v_person]
    v_login = login[v_person]

    sessions = _Sessions(rng, win, v_login, v_backend)
    n_urls = len(site.tables().urls)
    visitor_state = {name: np.zeros(visitor_count, dtype=np.int64) for name in CARRY}
    visitor_state["logged_in"][v_backend] = 1
    parts: list[Events] = []
    order = np.argsort(sessions.number, kind="stable")
    bounds = np.searchsorted(sessions.number[order], np.arange(MAX_SESSIONS + 1))
    for session_number in range(MAX_SESSIONS):
        sids = order[bounds[session_number] : bounds[session_number + 1]]
        if len(sids) == 0:
            break
        visitor = sessions.visitor[sids]
        logged_in = visitor_state["logged_in"][visitor] > 0
        tries_now = sessions.is_last[sids] | (rng.random(len(sids)) < P_LOGIN_TRY_BEFORE_LAST_SESSION)
        may_log_in = v_login[visitor] & ~logged_in & tries_now
        carry = {name: values[visitor] for name, values in visitor_state.items()}
        events, after = _simulate_round(
            rng, win, sessions, sids, carry, may_log_in, device[visitor], n_urls, session0
        )
        parts.extend(events)
        for name, values in after.items():
            visitor_state[name][visitor] = values
    return World(
        events=Events.concat(parts) if parts else _empty_events(),
        s_visitor=sessions.visitor + visitor0,
        s_channel=sessions.channel,
        s_utm=sessions.utm,
        s_utm_fill=sessions.utm_fill,
        s_ts_format=sessions.ts_format,
        v_person=v_person + person0,
        v_device=device,
        v_country=country[v_person],
        v_has_anon=~v_backend,
        n_persons=n_persons,
    )


def _empty_events() -> Events:
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


def _concat_worlds(worlds: list[World]) -> World:
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


def _simulate_enough(rng: np.random.Generator, win: Window, n_events: int) -> World:
    """Simulate batches of persons until there are at least `n_events` events."""
    worlds: list[World] = []
    total = 0
    persons = visitors = sessions = 0
    guess = int(n_events / EVENTS_PER_PERSON_GUESS * 1.03) + 50
    while total < n_events:
        world = _simulate_batch(rng, win, guess, persons, visitors, sessions)
        worlds.append(world)
        total += len(world.events)
        persons += world.n_persons
        visitors += len(world.v_person)
        sessions += len(world.s_visitor)
        per_person = max(total / persons, 0.5)
        guess = int((n_events - total) / per_person * 1.2) + 50
    return worlds[0] if len(worlds) == 1 else _concat_worlds(worlds)


def _select_first_events(world: World, n_events: int) -> np.ndarray:
    """Indices of exactly `n_events` events: whole persons in generation order, then the earliest
    events of the one person cut in the middle."""
    events = world.events
    person = world.v_person[world.s_visitor[events.session]]
    cumulative = np.cumsum(np.bincount(person, minlength=world.n_persons))
    cut_person = int(np.searchsorted(cumulative, n_events))  # first person reaching n_events
    needed_from_cut = n_events - (int(cumulative[cut_person - 1]) if cut_person > 0 else 0)
    keep = person < cut_person
    at_cut = np.flatnonzero(person == cut_person)
    at_cut = at_cut[np.argsort(events.t_ms[at_cut], kind="stable")[:needed_from_cut]]
    keep[at_cut] = True
    return np.flatnonzero(keep)


def simulate(rng: np.random.Generator, win: Window, n_events: int) -> World:
    """Simulate at least `n_events` events, then select exactly `n_events` (World.selected).

    The cut keeps whole persons in generation order (persons are i.i.d., so this does not
    bias dates) and the earliest events of the one person cut in the middle.
    """
    world = _simulate_enough(rng, win, n_events)
    world.selected = _select_first_events(world, n_events)
    return world
