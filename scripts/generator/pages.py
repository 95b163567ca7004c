"""The page loop of one round of sessions: page after page, vectorized over every active session.

Each step fires the events of the current page (a page_view plus others with per-page probabilities
and funnel rules), records them, updates the visitor's cart, login and interest, then draws the next
page. Every draw happens in a fixed order (see generator.simulate)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from generator import site
from generator.draws import (
    AFTER_ADD_TO_CART_TAB,
    BINS,
    DWELL_TAB,
    GAP_TAB,
    LANDING_TAB,
    NEXT_TAB,
    NO_PAGE,
    PROPS_TAB,
    SLOT_P32,
    draw_bins,
    item_for,
    whole_seconds,
)
from generator.sessions import TS_FORMAT_NAIVE, Sessions
from generator.world import MINUTE_MS, Events, Window

MAX_STEPS = 60  # pages per session at most
CART_REMINDER_UTM = [combo[2] for combo in site.UTM_COMBOS].index("cart_reminder")
P_LONG_BREAK = 0.003  # a break longer than the session timeout before the next page
LONG_BREAK_MS = (31 * MINUTE_MS, 75 * MINUTE_MS)

# Returning visitors (second session on).
P_WARM_READER_COMES_BACK_FOR_LEAD = 0.35
P_CART_OWNER_RESUMES = 0.35
P_RESUME_BY_EMAIL = 0.4  # else directly

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


# Visitor state carried from session to session (columns of PageState with the same names).
CARRY = ("cart_cents", "cart_items", "logged_in", "warm")
WARM_DOWNLOAD, WARM_NEWSLETTER = 1, 2  # bits of `warm`: downloaded an e-book, signed up to the newsletter


class _Column:
    """A named row of PageState.values (a view, like indexing the matrix)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.index = owner.COLUMNS.index(name)  # type: ignore[attr-defined]

    def __get__(self, state: PageState, owner: type | None = None) -> np.ndarray:
        return state.values[self.index]

    def __set__(self, state: PageState, value: np.ndarray) -> None:
        state.values[self.index] = value


class PageState:
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
    rng: np.random.Generator, sessions: Sessions, sids: np.ndarray, warm: np.ndarray, cart_items: np.ndarray
) -> None:
    """Second session on: interested content readers come back for a lead; visitors with a cart come
    back to it, from a cart reminder email or directly."""
    count = len(sids)
    lead = sids[(warm > 0) & (rng.random(count) < P_WARM_READER_COMES_BACK_FOR_LEAD)]
    sessions.intent[lead] = site.LEAD
    sessions.landing[lead] = LANDING_TAB[site.LEAD, sessions.channel[lead], draw_bins(rng, len(lead))]
    sessions.landing_item[lead] = item_for(
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
    sessions: Sessions,
    sids: np.ndarray,
    carry: dict[str, np.ndarray],
    may_log_in: np.ndarray,
    device: np.ndarray,
    n_urls: int,
    session_offset: int,
) -> PageState:
    """The page loop's state on the landing page of each session of the round."""
    state = PageState(len(sids))
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


def _spend_time_on_page(rng: np.random.Generator, state: PageState) -> None:
    """Advance each session's clock by the time on the previous page (rarely a long break); the
    sessions whose clock passes their limit end."""
    count = len(state)
    dwell = DWELL_TAB[draw_bins(rng, count)]
    long_break = rng.random(count, dtype=np.float32) < P_LONG_BREAK
    if long_break.any():
        dwell[long_break] = rng.integers(*LONG_BREAK_MS, int(long_break.sum()))
    state.clock_ms += whole_seconds(dwell, state.naive != 0)
    state.keep(state.clock_ms <= state.limit_ms)


def _event_probabilities(win: Window, state: PageState, step: int) -> np.ndarray:
    """[session, slot] probability that each event fires on the current page."""
    page, intent, channel, device = state.page, state.intent, state.channel, state.device
    logged_in = state.logged_in != 0
    probability = SLOT_P32[page]
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
    quantity_bin = draw_bins(rng, count)
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


def _current_page(rng: np.random.Generator, state: PageState, step: int) -> _Page:
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
    state: PageState,
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
    gap = whole_seconds(GAP_TAB[draw_bins(rng, count)], state.naive[session_row] != 0)
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
    rng: np.random.Generator, state: PageState, page: _Page, session_row: np.ndarray, slot: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Properties code and revenue (cents, -1 none) of each event."""
    props = PROPS_TAB[slot, page.key[session_row]]
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
    state: PageState,
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
    state: PageState,
    step: int,
    page: _Page,
    fired: np.ndarray,
    warm_draw: np.ndarray,
) -> None:
    """Draw the next page (transition table, then the funnel rules), its item and query; the sessions
    that exit end."""
    count = len(state)
    current, channel, device = state.page, state.channel, state.device
    next_bin = draw_bins(rng, count)
    following = NEXT_TAB[state.intent, current, next_bin].astype(np.int64)
    following = np.where(
        fired[:, site.E_ADD_TO_CART], AFTER_ADD_TO_CART_TAB[draw_bins(rng, count)], following
    )
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
    state.item = item_for(rng, following, current, state.item)
    color = (following == site.PRODUCT) & (next_bin % COLOR_QUERY_EVERY == 0)
    color_query = site.Q_COLOR_BASE + (next_bin // COLOR_QUERY_EVERY) % len(site.COLOR_VARIANTS)
    state.query = np.where(color, color_query, site.Q_NONE)
    state.previous_url = page.url
    state.page = following
    state.keep(following != site.EXIT)


def _visit_page(
    rng: np.random.Generator, win: Window, state: PageState, step: int, final: dict[str, np.ndarray]
) -> Events:
    """One page of every active session: its events, the state after it, the next page."""
    fired, warm_draw = _fire_events(rng, _event_probabilities(win, state, step), state.warm)
    logged_in_after = (state.logged_in != 0) | fired[:, site.E_LOGIN]
    page = _current_page(rng, state, step)
    events = _emit_events(rng, win, state, step, page, fired, logged_in_after)
    _update_visitor_state(state, page, fired, logged_in_after, final)
    _go_to_next_page(rng, state, step, page, fired, warm_draw)
    return events


def simulate_round(
    rng: np.random.Generator,
    win: Window,
    sessions: Sessions,
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
