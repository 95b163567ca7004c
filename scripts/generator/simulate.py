"""Simulate visitors, sessions and page-by-page journeys as numpy arrays (no per-event Python loop).

Shape of the simulation:
- persons -> visitors (devices) -> sessions (start times drawn per visitor, gaps > 2 h);
- sessions are simulated in rounds by session number (all first sessions, then all second
  sessions, ...), so a visitor's cart and login state carry over to the next session;
- inside a round, a loop over page steps is vectorized across all sessions still active:
  each step loads one page (a `page_view` plus the other events that fire on that page),
  then draws the next page from a per-intent transition table with funnel rules on top.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from generator import site as s

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
MINUTE_MS = 60_000

P_BACKEND = 0.01  # persons seen only through user_id (no anonymous_id)
P_LOGIN = 0.31  # persons who log in at some point
P_TWO_DEVICES = 0.10  # of the persons who log in
P_TS_FORMAT = (0.85, 0.10, 0.05)  # 'Z' with ms, local time + offset with ms, naive UTC w/o ms
MAX_STEPS = 60  # pages per session at most
CART_REMINDER_UTM = [u[2] for u in s.UTM_COMBOS].index("cart_reminder")
MAX_SESSIONS = 20  # per visitor at most
SESSION_MARGIN_MS = 45 * MINUTE_MS  # a session's events end this long before the next session
EVENTS_PER_PERSON_GUESS = 9.8
WARMUP_DAYS = 14  # visitors start before the window (their returns fill its first weeks); dropped

HOUR_WEIGHTS = np.array(
    [1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2, 3, 3.5, 3.8, 4, 4.2, 4.2, 4, 3.8, 3.8, 4.2, 5, 5.6, 5.8, 5, 3.5, 2]
)
HOUR_P = HOUR_WEIGHTS / HOUR_WEIGHTS.sum()
WEEKDAY_WEIGHTS = np.array([1.0, 1.0, 1.0, 0.98, 0.92, 0.8, 0.9])  # Mon..Sun


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
    s_ts_format: np.ndarray  # int8: 0 'Z', 1 offset, 2 naive
    v_person: np.ndarray  # int64
    v_device: np.ndarray  # int8
    v_country: np.ndarray  # int8
    v_has_anon: np.ndarray  # bool
    n_persons: int
    selected: np.ndarray | None = None  # events kept by the cut to exactly n events (indices)


def _pick(rng: np.random.Generator, cum: np.ndarray, n: int) -> np.ndarray:
    """n draws of an index from cumulative probabilities `cum` (last entry 1)."""
    return np.searchsorted(cum, rng.random(n), side="right")


def _cum(p: np.ndarray) -> np.ndarray:
    c = np.cumsum(p / p.sum(axis=-1, keepdims=True), axis=-1)
    c[..., -1] = 1.0
    return c


BINS = 4096  # random draws from fixed distributions go through inverse-CDF tables of this size
_U = (np.arange(BINS) + 0.5) / BINS  # bin midpoints


def _icdf(cum: np.ndarray) -> np.ndarray:
    """Inverse-CDF table(s): cum[..., k] -> int8 table[..., BINS] of sampled indices."""
    flat = cum.reshape(-1, cum.shape[-1])
    tab = np.stack([np.searchsorted(row, _U, side="right") for row in flat]).astype(np.int8)
    return tab.reshape(*cum.shape[:-1], BINS)


def _bins(rng: np.random.Generator, n: int) -> np.ndarray:
    return (rng.random(n, dtype=np.float32) * BINS).astype(np.intp)


_POPULAR = (np.arange(s.N_PRODUCTS) * 97) % s.N_PRODUCTS  # a fixed popularity order of products
_CAT_ORDER = np.array([0, 1, 2, 4, 3, 5, 8, 6, 7, 10, 9, 11])
# item tables by bin: skewed towards the popular items
_POP_TAB = _POPULAR[(_U**2.2 * s.N_PRODUCTS).astype(np.int64)]
_IN_CAT_TAB = (_U**1.8 * s.PRODUCTS_PER_CATEGORY).astype(np.int64) * s.N_CATEGORIES
_CAT_TAB = _CAT_ORDER[(_U**1.5 * s.N_CATEGORIES).astype(np.int64)]
_BLOG_TAB = (_U**1.3 * len(s.BLOG_SLUGS)).astype(np.int64)
_HELP_TAB = (_U**1.6 * len(s.HELP_SLUGS)).astype(np.int64)
# which candidate item a page type takes: 0 none, 1 product, 2 category, 3 blog, 4 help
_ITEM_KIND = np.zeros(s.N_PAGE_TYPES + 1, dtype=np.intp)
_ITEM_KIND[[s.PRODUCT, s.CATEGORY, s.BLOG, s.HELP]] = (1, 2, 3, 4)


def _item_for(
    rng: np.random.Generator, page: np.ndarray, from_page: np.ndarray, from_item: np.ndarray
) -> np.ndarray:
    """Item index for arriving at `page` from (from_page, from_item); from_page -1 = landing."""
    n = len(page)
    b = _bins(rng, n)
    b2 = _bins(rng, n)
    from_category = from_page == s.CATEGORY
    product = np.where(from_category, from_item + _IN_CAT_TAB[b], _POP_TAB[b])
    category = np.where((from_page == s.PRODUCT) & (b2 < BINS // 2), s.sku_category(from_item), _CAT_TAB[b])
    cand = np.stack([np.zeros(n, dtype=np.int64), product, category, _BLOG_TAB[b], _HELP_TAB[b]])
    return cand[_ITEM_KIND[page], np.arange(n)]


_LANDING_CUM = _cum(
    np.stack(
        [
            s.SHOP_LANDING_BY_CHANNEL,
            np.tile(s.INTENT_LANDING[s.CONTENT], (s.N_CHANNELS, 1)),
            np.tile(s.INTENT_LANDING[s.LEAD], (s.N_CHANNELS, 1)),
            np.tile(s.INTENT_LANDING[s.ACCOUNT], (s.N_CHANNELS, 1)),
        ]
    )[:, :, : s.N_PAGE_TYPES]
)
_INTENT_TAB = _icdf(_cum(s.INTENT_P_BY_CHANNEL))  # [channel, bin] -> intent
_LANDING_TAB = _icdf(_LANDING_CUM)  # [intent, channel, bin] -> landing page type
_NEXT_TAB = _icdf(s.TRANSITIONS_CUM)  # [intent, page, bin] -> next page
_AFTER_ATC_TAB = _icdf(_cum(s.AFTER_ADD_TO_CART))
_SLOT_P32 = s.SLOT_P.astype(np.float32)


def _props_table() -> np.ndarray:
    """[slot, page key] -> properties code (-1 = null); add_to_cart, search and purchase are
    adjusted per event."""
    t = s.tables()
    tab = np.zeros((s.N_SLOTS, s.N_PAGES), dtype=np.int64)
    tab[s.E_PAGE_VIEW] = -1
    product = np.arange(s.N_PRODUCTS)
    pk = s.PAGE_BASE[s.PRODUCT] + product
    for slot in (s.E_VIEW_ITEM, s.E_WISHLIST, s.E_STORE_CHECK, s.E_REVIEW_READ, s.E_SHARE):
        tab[slot, pk] = t.props_product + product
    tab[s.E_ADD_TO_CART, pk] = t.props_add_to_cart + product * 3  # + quantity - 1
    tab[s.E_VIDEO_START, pk] = t.props_video + product % len(s.VIDEO_TITLES)
    blog = np.arange(len(s.BLOG_SLUGS))
    tab[s.E_VIDEO_START, s.PAGE_BASE[s.BLOG] + blog] = t.props_video + blog % len(s.VIDEO_TITLES)
    tab[s.E_FILE_DOWNLOAD, s.PAGE_BASE[s.BLOG] + blog] = t.props_download + blog
    cat = np.arange(s.N_CATEGORIES)
    tab[s.E_VIEW_ITEM_LIST, s.PAGE_BASE[s.CATEGORY] + cat] = t.props_list + cat
    tab[s.E_SEARCH] = t.props_search  # + term
    tab[s.E_SCROLL] = t.props_scroll
    tab[s.E_PURCHASE] = t.props_purchase  # + items - 1
    return tab


_PROPS_TAB = _props_table()
# the compact event dtypes (int16 codes) must hold every code
assert len(s.tables().urls) + len(s.EXTERNAL_REFERRERS) < 2**15 and len(s.tables().props) < 2**15


class _Sessions:
    """Session-level attributes for one batch (local indices)."""

    def __init__(self, rng: np.random.Generator, win: Window, v_login: np.ndarray, v_backend: np.ndarray):
        nv = len(v_login)
        days = win.days
        # sessions per visitor
        k = np.where(rng.random(nv) < 0.58, 1, 1 + rng.geometric(0.38, nv))
        k = k + np.where(v_login, rng.geometric(0.5, nv) - 1, 0)
        k = np.minimum(k, MAX_SESSIONS).astype(np.int64)
        # first session start: weekday-weighted day, diurnal hour
        day_nr = np.arange(-WARMUP_DAYS, days)
        day_w = WEEKDAY_WEIGHTS[(day_nr + win.start_weekday) % 7]
        day = day_nr[rng.choice(len(day_nr), nv, p=day_w / day_w.sum())]
        hour = rng.choice(24, nv, p=HOUR_P)
        first = win.start_ms + day * DAY_MS + hour * HOUR_MS + rng.integers(0, HOUR_MS, nv)
        # later sessions: > 2 h after the previous start, often days later
        ns = int(k.sum())
        vis = np.repeat(np.arange(nv), k)
        first_pos = np.cumsum(k) - k
        gap = (
            np.where(
                rng.random(ns) < 0.3, rng.exponential(6 * HOUR_MS, ns), rng.exponential(3.5 * DAY_MS, ns)
            ).astype(np.int64)
            + 2 * HOUR_MS
        )
        gap[first_pos] = 0
        cs = np.cumsum(gap)
        start = first[vis] + cs - cs[first_pos][vis]
        keep = start < win.end_ms - MINUTE_MS  # a prefix of each visitor's sessions
        vis, start = vis[keep], start[keep]
        ns = len(vis)
        k = np.bincount(vis, minlength=nv)
        first_pos = np.cumsum(k) - k
        self.number = np.arange(ns) - first_pos[vis]
        last = np.ones(ns, dtype=bool)
        last[:-1] = vis[1:] != vis[:-1]
        self.is_last = last
        next_start = np.empty(ns, dtype=np.int64)
        next_start[:-1] = start[1:]
        next_start[last] = win.end_ms + SESSION_MARGIN_MS
        self.ts_format = rng.choice(3, ns, p=P_TS_FORMAT).astype(np.int8)
        start = np.where(self.ts_format == 2, start // 1000 * 1000, start)
        self.start = start
        self.limit = np.minimum(next_start - SESSION_MARGIN_MS, win.end_ms - 1000) - start
        self.visitor = vis
        # traffic source
        returning = self.number > 0
        chan = np.where(
            returning,
            _pick(rng, _cum(s.CHANNEL_P_RETURN), ns),
            _pick(rng, _cum(s.CHANNEL_P_FIRST), ns),
        )
        chan = np.where(v_backend[vis] & (chan != s.DIRECT), s.EMAIL, chan)  # app users: direct/email
        self.channel = chan.astype(np.int8)
        utm = np.full(ns, -1, dtype=np.int16)
        for c, (codes, p) in s.CHANNEL_UTM.items():
            m = chan == c
            utm[m] = np.asarray(codes)[_pick(rng, _cum(np.asarray(p)), int(m.sum()))]
        self.utm = utm
        ref = np.full(ns, -1, dtype=np.int32)
        for c, (codes, p) in s.CHANNEL_REFERRER.items():
            m = chan == c
            ref[m] = np.asarray(codes)[_pick(rng, _cum(np.asarray(p)), int(m.sum()))]
        for i, (source, _medium, _campaign) in enumerate(s.UTM_COMBOS):  # bing ads: bing referrer, ...
            if source in ("bing", "instagram"):
                ref[utm == i] = s.EXTERNAL_REFERRERS.index(f"https://www.{source}.com/")
        self.ext_ref = ref
        self.utm_fill = rng.random(ns) < 0.5
        # what the visit is about and where it lands
        self.intent = _INTENT_TAB[chan, _bins(rng, ns)]
        self.landing = _LANDING_TAB[self.intent, chan, _bins(rng, ns)]
        self.landing_item = _item_for(rng, self.landing, np.full(ns, -1), np.zeros(ns, dtype=np.int64))
        color = (self.landing == s.PRODUCT) & (rng.random(ns) < 0.05)
        q = np.where(color, s.Q_COLOR_BASE + rng.integers(0, len(s.COLOR_VARIANTS), ns), s.Q_NONE)
        self.landing_query = np.where(utm >= 0, s.Q_UTM_BASE + utm, q).astype(np.int64)


def _quantiles(draw: np.ndarray) -> np.ndarray:
    """BINS quantiles of a sample: a table to draw from with _bins()."""
    return np.quantile(draw, _U).astype(np.int64)


_QRNG = np.random.default_rng(20260901)  # fixed: the tables are constants, not per-run randomness
# time on a page before the next page load (ms); rare breaks longer than the session timeout
_DWELL_TAB = _quantiles(np.clip(_QRNG.lognormal(np.log(35_000), 1.0, 200_000), 2_000, 25 * MINUTE_MS))
P_LONG_BREAK = 0.003
# gap between two events on the same page (ms)
_GAP_TAB = _quantiles(np.clip(_QRNG.lognormal(np.log(5_000), 0.9, 200_000), 400, 120_000))

# columns of the per-session state matrix used in the page loop
(F_ROW, F_PAGE, F_ITEM, F_QUERY, F_CLOCK, F_CART_C, F_CART_N, F_LOGGED, F_PREV_URL) = range(9)
(F_INTENT, F_CHAN, F_DEV, F_START, F_LIMIT, F_NAIVE, F_GSID, F_LOGIN_TRY, F_EXT_REF) = range(9, 18)
F_WARM = 18  # content interest: bit 1 = downloaded an e-book, bit 2 = newsletter signup
N_FIELDS = 19
WARM_DOWNLOAD, WARM_NEWSLETTER = 1, 2
CARRY = ("cart_c", "cart_n", "logged", "warm")  # visitor state carried from session to session


def _simulate_round(
    rng: np.random.Generator,
    win: Window,
    ss: _Sessions,
    sids: np.ndarray,
    carry: dict[str, np.ndarray],
    login_try: np.ndarray,
    device: np.ndarray,
    n_urls: int,
    session_offset: int,
) -> tuple[list[Events], dict[str, np.ndarray]]:
    """Simulate the sessions `sids` (one round) from the visitors' carried state (CARRY);
    return the events and the state after each session."""
    n = len(sids)
    cart_c, cart_n, logged, warm = (carry[k] for k in CARRY)
    final = {k: carry[k].astype(np.int64) for k in CARRY}
    st = np.empty((N_FIELDS, n), dtype=np.int64)
    st[F_ROW] = np.arange(n)
    if n and int(ss.number[sids[0]]) > 0:
        # interested content readers come back for a lead
        lead = sids[(warm > 0) & (rng.random(n) < 0.35)]
        ss.intent[lead] = s.LEAD
        ss.landing[lead] = _LANDING_TAB[s.LEAD, ss.channel[lead], _bins(rng, len(lead))]
        ss.landing_item[lead] = _item_for(
            rng, ss.landing[lead], np.full(len(lead), -1), np.zeros(len(lead), int)
        )
        # come back to the cart: from a cart reminder email, or directly
        resume = sids[(cart_n > 0) & (rng.random(n) < 0.35)]
        by_email = rng.random(len(resume)) < 0.4
        ss.landing[resume] = s.CART
        ss.landing_item[resume] = 0
        ss.intent[resume] = s.SHOP
        ss.channel[resume] = np.where(by_email, s.EMAIL, s.DIRECT)
        ss.utm[resume] = np.where(by_email, CART_REMINDER_UTM, -1)
        ss.ext_ref[resume] = -1
        ss.landing_query[resume] = np.where(by_email, s.Q_UTM_BASE + CART_REMINDER_UTM, s.Q_NONE)
    st[F_PAGE] = ss.landing[sids]
    st[F_ITEM] = ss.landing_item[sids]
    st[F_INTENT] = ss.intent[sids]
    st[F_QUERY] = ss.landing_query[sids]
    st[F_CLOCK] = 0
    st[F_CART_C] = cart_c
    st[F_CART_N] = cart_n
    st[F_LOGGED] = logged
    st[F_PREV_URL] = -1
    st[F_CHAN] = ss.channel[sids]
    st[F_DEV] = device
    st[F_START] = ss.start[sids]
    st[F_LIMIT] = ss.limit[sids]
    st[F_NAIVE] = ss.ts_format[sids] == 2
    st[F_GSID] = sids + session_offset
    st[F_LOGIN_TRY] = login_try
    st[F_EXT_REF] = np.where(ss.ext_ref[sids] >= 0, n_urls + ss.ext_ref[sids].astype(np.int64), -1)
    st[F_WARM] = warm
    out: list[Events] = []

    for step in range(MAX_STEPS):
        if st.shape[1] == 0:
            break
        if step > 0:
            m = st.shape[1]
            dwell = _DWELL_TAB[_bins(rng, m)]
            long_break = rng.random(m, dtype=np.float32) < P_LONG_BREAK
            if long_break.any():
                dwell[long_break] = rng.integers(31 * MINUTE_MS, 75 * MINUTE_MS, int(long_break.sum()))
            naive_rows = st[F_NAIVE] != 0
            st[F_CLOCK] += np.where(naive_rows, np.maximum(dwell // 1000, 1) * 1000, dwell)
            ok = st[F_CLOCK] <= st[F_LIMIT]
            if not ok.all():
                st = st[:, ok]
                if st.shape[1] == 0:
                    break
        m = st.shape[1]
        page, item, intent, chan, dev = st[F_PAGE], st[F_ITEM], st[F_INTENT], st[F_CHAN], st[F_DEV]
        cart_c, cart_n = st[F_CART_C], st[F_CART_N]
        logged_b = st[F_LOGGED] != 0

        # --- which events fire on this page
        p = _SLOT_P32[page]
        if step == 0:
            p[:, s.E_EMAIL_CLICK] = chan == s.EMAIL
        p[:, s.E_LOGIN] = np.where(
            (st[F_LOGIN_TRY] != 0) & ~logged_b, np.where(page == s.CHECKOUT, 1.0, 0.25), 0.0
        )
        is_product = page == s.PRODUCT
        p_atc = np.minimum(0.19 * s.CHANNEL_ATC_MULT[chan] * s.INTENT_ATC_MULT[intent], 0.9)
        p[:, s.E_ADD_TO_CART] = np.where(is_product, p_atc, 0.0)
        p[:, s.E_ADD_SHIPPING_INFO] = np.where(page == s.SHIPPING, 0.92 * s.DEVICE_CHECKOUT_MULT[dev], 0.0)
        now = st[F_START] + st[F_CLOCK]
        broken = (dev == win.incident_device) & (now >= win.incident_lo_ms) & (now < win.incident_hi_ms)
        p_pay = 0.90 * s.DEVICE_PAYMENT_MULT[dev] * np.where(broken, win.incident_factor, 1.0)
        p[:, s.E_ADD_PAYMENT_INFO] = np.where(page == s.PAYMENT, p_pay, 0.0)
        warm = st[F_WARM]
        p_lead = np.where((intent == s.LEAD) | (warm > 0), 0.45, 0.06)
        p[:, s.E_GENERATE_LEAD] = np.where(page == s.CONTACT, p_lead, 0.0)
        p[:, s.E_NEWSLETTER] += np.where((warm & WARM_DOWNLOAD) > 0, 0.05, 0.0)
        p_sign_up = np.where(intent == s.ACCOUNT, 0.6, 0.12)
        p[:, s.E_SIGN_UP] = np.where((page == s.SIGNUP) & ~logged_b, p_sign_up, 0.0)
        fired = rng.random((m, s.N_SLOTS), dtype=np.float32) < p
        fired[:, s.E_ADD_TO_CART] &= fired[:, s.E_VIEW_ITEM]
        # an e-book download often comes with the newsletter box ticked
        u_warm = rng.random(m, dtype=np.float32)
        fired[:, s.E_NEWSLETTER] |= (
            fired[:, s.E_FILE_DOWNLOAD] & (u_warm < 0.3) & ((warm & WARM_NEWSLETTER) == 0)
        )

        logged_after = logged_b | fired[:, s.E_LOGIN]
        atc = fired[:, s.E_ADD_TO_CART]
        purchase = fired[:, s.E_PURCHASE]
        uq = _bins(rng, m)
        qty = np.where(uq < 0.8 * BINS, 1, np.where(uq < 0.95 * BINS, 2, 3))
        page_key = s.PAGE_BASE[page] + item
        url = page_key * s.N_QUERY + st[F_QUERY]
        ref = st[F_EXT_REF] if step == 0 else st[F_PREV_URL]

        # --- emit: events of a page in slot order, small gaps after the first
        r, slot = np.nonzero(fired)
        ne = len(r)
        first = np.ones(ne, dtype=bool)
        first[1:] = r[1:] != r[:-1]
        g = _GAP_TAB[_bins(rng, ne)]
        g = np.where(st[F_NAIVE, r] != 0, np.maximum(g // 1000, 1) * 1000, g)
        g[first] = 0
        cs = np.cumsum(g)
        row_first = np.maximum.accumulate(np.where(first, np.arange(ne), 0))
        t_ms = (st[F_START] + st[F_CLOCK])[r] + cs - cs[row_first]
        st[F_CLOCK] += np.bincount(r, weights=g, minlength=m).astype(np.int64)
        props = _PROPS_TAB[slot, page_key[r]]
        k = np.flatnonzero(slot == s.E_ADD_TO_CART)
        props[k] += qty[r[k]] - 1
        k = np.flatnonzero(slot == s.E_SEARCH)
        props[k] += rng.integers(0, len(s.SEARCH_TERMS), len(k))
        k = np.flatnonzero(slot == s.E_PURCHASE)
        props[k] += np.clip(cart_n[r[k]], 1, s.tables().max_purchase_items) - 1
        revenue = np.full(ne, -1, dtype=np.int32)
        revenue[k] = cart_c[r[k]] + np.where(cart_c[r[k]] < 4_900, 490, 0)
        inside = (t_ms >= win.start_ms) & (t_ms < win.end_ms)  # drop the warm-up and the overflow
        if not inside.all():
            r, slot, t_ms, props, revenue = (
                r[inside],
                slot[inside],
                t_ms[inside],
                props[inside],
                revenue[inside],
            )
        out.append(
            Events(
                session=st[F_GSID, r].astype(np.int32),
                t_ms=t_ms,
                ev=slot.astype(np.int8),
                page=page_key[r].astype(np.int16),
                url=url[r].astype(np.int16),
                ref=ref[r].astype(np.int16),
                props=props.astype(np.int16),
                revenue=revenue,
                logged=np.where(slot < s.E_LOGIN, logged_b[r], logged_after[r]),
                landing=np.full(len(r), step == 0),
            )
        )

        # --- state after the page
        price = s.PRICE_CENTS[np.where(is_product, item, 0)]
        st[F_CART_C] = np.where(purchase, 0, np.where(atc, cart_c + price * qty, cart_c))
        st[F_CART_N] = np.where(purchase, 0, np.where(atc, cart_n + qty, cart_n))
        st[F_LOGGED] = logged_after | fired[:, s.E_SIGN_UP]
        st[F_WARM] = (
            warm | fired[:, s.E_FILE_DOWNLOAD] * WARM_DOWNLOAD | fired[:, s.E_NEWSLETTER] * WARM_NEWSLETTER
        )
        rows = st[F_ROW]
        for k, f in zip(CARRY, (F_CART_C, F_CART_N, F_LOGGED, F_WARM), strict=True):
            final[k][rows] = st[f]

        # --- next page: transition table, then the funnel rules
        b = _bins(rng, m)
        nxt = _NEXT_TAB[intent, page, b].astype(np.int64)
        nxt = np.where(atc, _AFTER_ATC_TAB[_bins(rng, m)], nxt)
        u = rng.random(m, dtype=np.float32)
        p_bc = 0.62 * s.CHANNEL_CHECKOUT_MULT[chan] * s.DEVICE_CHECKOUT_MULT[dev]
        nxt = np.where((page == s.CART) & (u < p_bc), s.CHECKOUT, nxt)
        p_ship = 0.96 * s.DEVICE_CHECKOUT_MULT[dev]
        nxt = np.where((page == s.CHECKOUT) & (u < p_ship), s.SHIPPING, nxt)
        nxt = np.where(fired[:, s.E_ADD_SHIPPING_INFO] & (u < 0.97), s.PAYMENT, nxt)
        p_conf = 0.78 * (1 + s.CHANNEL_CHECKOUT_MULT[chan]) / 2
        nxt = np.where(fired[:, s.E_ADD_PAYMENT_INFO] & (u < p_conf), s.CONFIRMATION, nxt)
        if step == 0:
            nxt = np.where(rng.random(m, dtype=np.float32) < s.CHANNEL_BOUNCE[chan], s.EXIT, nxt)
        nxt = np.where((nxt == s.CART) & (st[F_CART_N] == 0), s.PRODUCT, nxt)
        # readers who downloaded an e-book or subscribed often go on to the contact form
        to_contact = (st[F_WARM] > 0) & (u_warm > 0.6) & (page >= s.BLOG) & (page != s.CONTACT)
        nxt = np.where(to_contact, s.CONTACT, nxt)
        if step == MAX_STEPS - 1:
            nxt[:] = s.EXIT
        st[F_ITEM] = _item_for(rng, nxt, page, item)
        color = (nxt == s.PRODUCT) & (b % 20 == 0)  # 5% of product page loads: ?color=..
        st[F_QUERY] = np.where(color, s.Q_COLOR_BASE + (b // 20) % len(s.COLOR_VARIANTS), s.Q_NONE)
        st[F_PREV_URL] = url
        st[F_PAGE] = nxt
        go = nxt != s.EXIT
        if not go.all():
            st = st[:, go]
    return out, final


def _simulate_batch(
    rng: np.random.Generator, win: Window, n_persons: int, person0: int, visitor0: int, session0: int
) -> World:
    """Simulate `n_persons` persons; indices are offset so batches can be concatenated."""
    backend = rng.random(n_persons) < P_BACKEND
    login = ~backend & (rng.random(n_persons) < P_LOGIN)
    two = login & (rng.random(n_persons) < P_TWO_DEVICES)
    country = _pick(rng, _cum(s.COUNTRY_P), n_persons).astype(np.int8)
    v_person = np.repeat(np.arange(n_persons), 1 + two.astype(np.int64))
    nv = len(v_person)
    second = np.zeros(nv, dtype=bool)
    second[1:] = v_person[1:] == v_person[:-1]
    device = _pick(rng, _cum(s.DEVICE_P), nv).astype(np.int8)
    prev_dev = np.roll(device, 1)
    device = np.where(second, np.where(prev_dev == s.DESKTOP, s.MOBILE, s.DESKTOP), device).astype(np.int8)
    v_backend = backend[v_person]
    v_login = login[v_person]

    ss = _Sessions(rng, win, v_login, v_backend)
    n_urls = len(s.tables().urls)
    v_state = {k: np.zeros(nv, dtype=np.int64) for k in CARRY}
    v_state["logged"][v_backend] = 1
    parts: list[Events] = []
    order = np.argsort(ss.number, kind="stable")
    bounds = np.searchsorted(ss.number[order], np.arange(MAX_SESSIONS + 1))
    for rnd in range(MAX_SESSIONS):
        sids = order[bounds[rnd] : bounds[rnd + 1]]
        if len(sids) == 0:
            break
        vis = ss.visitor[sids]
        logged = v_state["logged"][vis] > 0
        login_try = v_login[vis] & ~logged & (ss.is_last[sids] | (rng.random(len(sids)) < 0.5))
        carry = {k: v[vis] for k, v in v_state.items()}
        ev, after = _simulate_round(rng, win, ss, sids, carry, login_try, device[vis], n_urls, session0)
        parts.extend(ev)
        for k, v in after.items():
            v_state[k][vis] = v
    events = Events.concat(parts) if parts else _empty_events()
    return World(
        events=events,
        s_visitor=ss.visitor + visitor0,
        s_channel=ss.channel,
        s_utm=ss.utm,
        s_utm_fill=ss.utm_fill,
        s_ts_format=ss.ts_format,
        v_person=v_person + person0,
        v_device=device,
        v_country=country[v_person],
        v_has_anon=~v_backend,
        n_persons=n_persons,
    )


def _empty_events() -> Events:
    z = np.zeros(0, dtype=np.int16)
    return Events(
        z.astype(np.int32),
        z.astype(np.int64),
        z.astype(np.int8),
        z,
        z,
        z,
        z,
        z.astype(np.int32),
        z.astype(bool),
        z.astype(bool),
    )


def _concat_worlds(ws: list[World]) -> World:
    return World(
        events=Events.concat([w.events for w in ws]),
        s_visitor=np.concatenate([w.s_visitor for w in ws]),
        s_channel=np.concatenate([w.s_channel for w in ws]),
        s_utm=np.concatenate([w.s_utm for w in ws]),
        s_utm_fill=np.concatenate([w.s_utm_fill for w in ws]),
        s_ts_format=np.concatenate([w.s_ts_format for w in ws]),
        v_person=np.concatenate([w.v_person for w in ws]),
        v_device=np.concatenate([w.v_device for w in ws]),
        v_country=np.concatenate([w.v_country for w in ws]),
        v_has_anon=np.concatenate([w.v_has_anon for w in ws]),
        n_persons=sum(w.n_persons for w in ws),
    )


def simulate(rng: np.random.Generator, win: Window, n_events: int) -> World:
    """Simulate at least `n_events` events, then select exactly `n_events` (World.selected).

    The cut keeps whole persons in generation order (persons are i.i.d., so this does not
    bias dates) and the earliest events of the one person cut in the middle.
    """
    worlds: list[World] = []
    total = 0
    persons = visitors = sessions = 0
    guess = int(n_events / EVENTS_PER_PERSON_GUESS * 1.03) + 50
    while total < n_events:
        w = _simulate_batch(rng, win, guess, persons, visitors, sessions)
        worlds.append(w)
        total += len(w.events)
        persons += w.n_persons
        visitors += len(w.v_person)
        sessions += len(w.s_visitor)
        per_person = max(total / persons, 0.5)
        guess = int((n_events - total) / per_person * 1.2) + 50
    world = worlds[0] if len(worlds) == 1 else _concat_worlds(worlds)
    ev = world.events
    person = world.v_person[world.s_visitor[ev.session]]
    counts = np.bincount(person, minlength=world.n_persons)
    cum = np.cumsum(counts)
    cut = int(np.searchsorted(cum, n_events))  # first person reaching n_events
    need_from_cut = n_events - (int(cum[cut - 1]) if cut > 0 else 0)
    keep = person < cut
    at_cut = np.flatnonzero(person == cut)
    at_cut = at_cut[np.argsort(ev.t_ms[at_cut], kind="stable")[:need_from_cut]]
    keep[at_cut] = True
    world.selected = np.flatnonzero(keep)
    return world
