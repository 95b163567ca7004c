"""The demo site www.example-shop.com: pages, events, channels and lookup tables.

Everything here is static (no randomness): the simulation works on small integer codes
(page type, item, channel, ...) and the renderer turns codes into text through the
tables built here, so the per-event work is a `take` on a small dictionary.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

SITE = "https://www.example-shop.com"
SITE_NAME = "Example Shop"

# --- Page types (a page = type + item index within the type) --------------------------------
HOME, CATEGORY, PRODUCT, CART, CHECKOUT, SHIPPING, PAYMENT, CONFIRMATION = range(8)
BLOG, HELP, CONTACT, SIGNUP, STORES, COMPARE = range(8, 14)
N_PAGE_TYPES = 14
EXIT = N_PAGE_TYPES  # "next page" code meaning the session ends

CATEGORY_SLUGS: tuple[str, ...] = (
    "hiking-boots",
    "running-shoes",
    "rain-jackets",
    "backpacks",
    "tents",
    "sleeping-bags",
    "camping-stoves",
    "water-bottles",
    "headlamps",
    "trail-socks",
    "fleece-tops",
    "gift-cards",
)
CATEGORY_NOUNS: tuple[str, ...] = (
    "Hiking Boot",
    "Trail Running Shoe",
    "Rain Jacket",
    "Daypack",
    "Tent",
    "Sleeping Bag",
    "Camping Stove",
    "Water Bottle",
    "Headlamp",
    "Trail Socks",
    "Fleece Top",
    "Gift Card",
)
PRODUCT_ADJECTIVES: tuple[str, ...] = (
    "Alpine",
    "Summit",
    "Ridge",
    "Canyon",
    "Glacier",
    "Forest",
    "Trail",
    "Storm",
    "Nordic",
    "Basecamp",
    "Explorer",
    "Horizon",
    "Pioneer",
    "Granite",
    "Cascade",
    "Tundra",
    "Meadow",
    "Sierra",
    "Aurora",
    "Compass",
)
N_CATEGORIES = len(CATEGORY_SLUGS)
PRODUCTS_PER_CATEGORY = 20
N_PRODUCTS = N_CATEGORIES * PRODUCTS_PER_CATEGORY  # sku-<n>, n in 1..N_PRODUCTS; category = (n-1) % 12

BLOG_SLUGS: tuple[str, ...] = (
    "how-to-choose-hiking-boots",
    "best-day-hikes-in-the-alps",
    "layering-guide-for-autumn",
    "tent-buying-guide",
    "sleeping-bag-temperature-ratings",
    "trail-running-for-beginners",
    "packing-list-weekend-camping",
    "waterproof-vs-water-resistant",
    "how-to-break-in-new-boots",
    "camp-cooking-recipes",
    "headlamp-lumens-explained",
    "leave-no-trace-principles",
    "first-hut-to-hut-trek",
    "winter-camping-basics",
    "how-to-wash-a-down-jacket",
    "choosing-a-backpack-size",
    "best-gifts-for-hikers",
    "trekking-poles-yes-or-no",
    "blister-prevention-tips",
    "family-camping-checklist",
    "ultralight-gear-guide",
    "rain-gear-care",
    "hydration-on-long-hikes",
    "planning-a-multi-day-hike",
)
BLOG_TITLES: tuple[str, ...] = tuple(s.replace("-", " ").capitalize() for s in BLOG_SLUGS)
HELP_SLUGS: tuple[str, ...] = (
    "shipping",
    "returns",
    "payment-methods",
    "order-status",
    "size-guide",
    "warranty",
    "store-pickup",
    "gift-cards",
    "account",
    "privacy",
    "contact-options",
    "track-order",
)
HELP_TITLES: tuple[str, ...] = (
    "Shipping",
    "Returns and refunds",
    "Payment methods",
    "Order status",
    "Size guide",
    "Warranty",
    "Store pickup",
    "Gift cards",
    "Your account",
    "Privacy",
    "Contact options",
    "Track your order",
)

# items per page type, in page-type order
PAGE_ITEMS: tuple[int, ...] = (
    1,
    N_CATEGORIES,
    N_PRODUCTS,
    1,
    1,
    1,
    1,
    1,
    len(BLOG_SLUGS),
    len(HELP_SLUGS),
    1,
    1,
    1,
    1,
)
PAGE_BASE = np.concatenate([[0], np.cumsum(PAGE_ITEMS)[:-1]]).astype(np.int64)
N_PAGES = int(sum(PAGE_ITEMS))

# --- Events (slot order = order of events on one page) ----------------------------------------
EVENT_NAMES: tuple[str, ...] = (
    "email_click",
    "page_view",
    "login",
    "view_item_list",
    "view_item",
    "view_cart",
    "begin_checkout",
    "add_shipping_info",
    "add_payment_info",
    "purchase",
    "scroll",
    "review_read",
    "video_start",
    "search",
    "compare_products",
    "check_store_availability",
    "add_to_wishlist",
    "share",
    "file_download",
    "add_to_cart",
    "newsletter_signup",
    "generate_lead",
    "click_to_call",
    "sign_up",
)
EV = {name: i for i, name in enumerate(EVENT_NAMES)}
N_SLOTS = len(EVENT_NAMES)
E_EMAIL_CLICK = EV["email_click"]
E_PAGE_VIEW = EV["page_view"]
E_LOGIN = EV["login"]
E_VIEW_ITEM_LIST = EV["view_item_list"]
E_VIEW_ITEM = EV["view_item"]
E_VIEW_CART = EV["view_cart"]
E_BEGIN_CHECKOUT = EV["begin_checkout"]
E_ADD_SHIPPING_INFO = EV["add_shipping_info"]
E_ADD_PAYMENT_INFO = EV["add_payment_info"]
E_PURCHASE = EV["purchase"]
E_SCROLL = EV["scroll"]
E_REVIEW_READ = EV["review_read"]
E_VIDEO_START = EV["video_start"]
E_SEARCH = EV["search"]
E_COMPARE = EV["compare_products"]
E_STORE_CHECK = EV["check_store_availability"]
E_WISHLIST = EV["add_to_wishlist"]
E_SHARE = EV["share"]
E_FILE_DOWNLOAD = EV["file_download"]
E_ADD_TO_CART = EV["add_to_cart"]
E_NEWSLETTER = EV["newsletter_signup"]
E_GENERATE_LEAD = EV["generate_lead"]
E_CLICK_TO_CALL = EV["click_to_call"]
E_SIGN_UP = EV["sign_up"]

# Base probability that an event fires on one load of a page (the funnel events and the
# intent-dependent ones are overridden in the simulation).
SLOT_P = np.zeros((N_PAGE_TYPES, N_SLOTS))
SLOT_P[:, E_PAGE_VIEW] = 1.0
SLOT_P[:, E_NEWSLETTER] = 0.002
SLOT_P[HOME, [E_SCROLL, E_SEARCH, E_NEWSLETTER]] = (0.30, 0.08, 0.012)
SLOT_P[CATEGORY, [E_VIEW_ITEM_LIST, E_SCROLL, E_SEARCH]] = (0.90, 0.40, 0.05)
SLOT_P[PRODUCT, [E_VIEW_ITEM, E_SCROLL, E_REVIEW_READ, E_VIDEO_START, E_WISHLIST, E_STORE_CHECK, E_SHARE]] = (
    0.96,
    0.35,
    0.12,
    0.05,
    0.04,
    0.035,
    0.015,
)
SLOT_P[PRODUCT, E_SEARCH] = 0.03
SLOT_P[CART, E_VIEW_CART] = 0.97
SLOT_P[CHECKOUT, E_BEGIN_CHECKOUT] = 1.0
SLOT_P[CONFIRMATION, E_PURCHASE] = 1.0
SLOT_P[BLOG, [E_SCROLL, E_VIDEO_START, E_FILE_DOWNLOAD, E_SHARE, E_NEWSLETTER]] = (
    0.55,
    0.08,
    0.06,
    0.03,
    0.03,
)
SLOT_P[HELP, [E_SCROLL, E_SEARCH]] = (0.30, 0.15)
SLOT_P[CONTACT, E_CLICK_TO_CALL] = 0.12
SLOT_P[STORES, E_CLICK_TO_CALL] = 0.15
SLOT_P[COMPARE, E_COMPARE] = 0.80

# --- Channels ----------------------------------------------------------------------------------
DIRECT, ORGANIC_SEARCH, PAID_SEARCH, EMAIL, ORGANIC_SOCIAL, PAID_SOCIAL, DISPLAY, AFFILIATES, REFERRAL = (
    range(9)
)
CHANNEL_NAMES: tuple[str, ...] = (
    "direct",
    "organic_search",
    "paid_search",
    "email",
    "organic_social",
    "paid_social",
    "display",
    "affiliates",
    "referral",
)
N_CHANNELS = len(CHANNEL_NAMES)
# share of sessions by channel: first session of a visitor, returning sessions
CHANNEL_P_FIRST = np.array([0.22, 0.30, 0.15, 0.02, 0.08, 0.08, 0.06, 0.04, 0.05])
CHANNEL_P_RETURN = np.array([0.34, 0.20, 0.10, 0.18, 0.05, 0.04, 0.03, 0.03, 0.03])

# utm combos: (source, medium, campaign); per channel the combos it draws from
UTM_COMBOS: tuple[tuple[str, str, str], ...] = (
    ("google", "cpc", "brand_search"),  # 0
    ("google", "cpc", "generic_hiking_gear"),
    ("google", "cpc", "shopping_autumn"),
    ("bing", "cpc", "brand_search"),
    ("newsletter", "email", "weekly_newsletter"),  # 4
    ("newsletter", "email", "autumn_sale"),
    ("newsletter", "email", "cart_reminder"),
    ("facebook", "paid_social", "autumn_sale"),  # 7
    ("instagram", "paid_social", "new_collection"),
    ("gdn", "display", "retargeting"),  # 9
    ("criteo", "display", "retargeting"),
    ("awin", "affiliate", "partner_deals"),  # 11
    ("tradedoubler", "affiliate", "cashback"),
)
N_UTM = len(UTM_COMBOS)
CHANNEL_UTM: dict[int, tuple[tuple[int, ...], tuple[float, ...]]] = {
    PAID_SEARCH: ((0, 1, 2, 3), (0.40, 0.30, 0.20, 0.10)),
    EMAIL: ((4, 5, 6), (0.55, 0.30, 0.15)),
    PAID_SOCIAL: ((7, 8), (0.60, 0.40)),
    DISPLAY: ((9, 10), (0.60, 0.40)),
    AFFILIATES: ((11, 12), (0.70, 0.30)),
}

EXTERNAL_REFERRERS: tuple[str, ...] = (
    "https://www.google.com/",  # 0
    "https://www.bing.com/",
    "https://www.facebook.com/",  # 2
    "https://www.instagram.com/",
    "https://t.co/",
    "https://blog.partner-site.com/best-hiking-gear-2026",  # 5
    "https://www.trailforum.net/t/boots-advice/1234",
    "https://news.example.org/outdoor/gift-guide",
    "https://www.outdoor-news.example/gear-reviews",  # 8 display publisher
    "https://deals.coupon-site.com/outdoor",  # 9 affiliate
)
# per channel: (referrer codes, probabilities); -1 = no referrer
CHANNEL_REFERRER: dict[int, tuple[tuple[int, ...], tuple[float, ...]]] = {
    DIRECT: ((-1,), (1.0,)),
    ORGANIC_SEARCH: ((0, 1), (0.85, 0.15)),
    PAID_SEARCH: ((0,), (1.0,)),  # bing cpc gets the bing referrer below
    EMAIL: ((-1,), (1.0,)),
    ORGANIC_SOCIAL: ((2, 3, 4), (0.45, 0.30, 0.25)),
    PAID_SOCIAL: ((2,), (1.0,)),  # instagram combos get the instagram referrer below
    DISPLAY: ((8, -1), (0.5, 0.5)),
    AFFILIATES: ((9, -1), (0.7, 0.3)),
    REFERRAL: ((5, 6, 7), (0.5, 0.3, 0.2)),
}

# conversion multipliers by channel (add to cart; checkout and purchase)
CHANNEL_ATC_MULT = np.array([1.05, 1.0, 1.25, 1.35, 0.65, 0.65, 0.55, 1.1, 0.95])
CHANNEL_CHECKOUT_MULT = np.array([1.0, 1.0, 1.1, 1.15, 0.85, 0.85, 0.8, 1.05, 1.0])
# probability the landing page is the only page (extra bounce) by channel
CHANNEL_BOUNCE = np.array([0.25, 0.25, 0.20, 0.15, 0.40, 0.45, 0.55, 0.25, 0.30])

# --- Devices and countries ----------------------------------------------------------------------
DEVICES: tuple[str, ...] = ("desktop", "mobile", "tablet")
DESKTOP, MOBILE, TABLET = range(3)
DEVICE_P = np.array([0.45, 0.45, 0.10])
DEVICE_CHECKOUT_MULT = np.array([1.0, 0.85, 0.95])
DEVICE_PAYMENT_MULT = np.array([1.0, 0.95, 1.0])
COUNTRIES: tuple[str, ...] = ("DE", "AT", "CH", "NL", "FR", "GB", "US")
COUNTRY_P = np.array([0.40, 0.08, 0.07, 0.10, 0.10, 0.13, 0.12])
# the UTC offset (minutes) that a client in that country writes when it writes an offset
COUNTRY_OFFSET_MIN = np.array([120, 120, 120, 120, 120, 60, -240])

# --- Session intents --------------------------------------------------------------------------
SHOP, CONTENT, LEAD, ACCOUNT = range(4)
N_INTENTS = 4
INTENT_P_BY_CHANNEL = np.array(
    [
        [0.60, 0.25, 0.10, 0.05],  # direct
        [0.50, 0.40, 0.06, 0.04],  # organic search
        [0.80, 0.12, 0.05, 0.03],  # paid search
        [0.75, 0.20, 0.02, 0.03],  # email
        [0.45, 0.50, 0.02, 0.03],  # organic social
        [0.70, 0.27, 0.01, 0.02],  # paid social
        [0.70, 0.25, 0.02, 0.03],  # display
        [0.85, 0.11, 0.02, 0.02],  # affiliates
        [0.50, 0.45, 0.03, 0.02],  # referral
    ]
)
INTENT_ATC_MULT = np.array([1.0, 0.35, 0.3, 0.5])


def _dist(**weights: float) -> np.ndarray:
    """A probability row over next pages (0..N_PAGE_TYPES-1, EXIT); EXIT takes the rest."""
    names = {
        "HOME": HOME,
        "CATEGORY": CATEGORY,
        "PRODUCT": PRODUCT,
        "CART": CART,
        "CONFIRMATION": CONFIRMATION,
        "BLOG": BLOG,
        "HELP": HELP,
        "CONTACT": CONTACT,
        "SIGNUP": SIGNUP,
        "STORES": STORES,
        "COMPARE": COMPARE,
    }
    row = np.zeros(N_PAGE_TYPES + 1)
    for name, w in weights.items():
        row[names[name]] = w
    row[EXIT] = 1.0 - row.sum()
    assert row[EXIT] >= -1e-9, weights
    return row


# Landing page distribution: SHOP by channel; other intents fixed.
SHOP_LANDING_BY_CHANNEL = np.array(
    [
        _dist(HOME=0.70, CATEGORY=0.15, PRODUCT=0.15),
        _dist(HOME=0.20, CATEGORY=0.35, PRODUCT=0.45),
        _dist(CATEGORY=0.40, PRODUCT=0.60),
        _dist(HOME=0.30, CATEGORY=0.30, PRODUCT=0.40),
        _dist(HOME=0.30, PRODUCT=0.70),
        _dist(HOME=0.20, CATEGORY=0.20, PRODUCT=0.60),
        _dist(HOME=0.40, PRODUCT=0.60),
        _dist(CATEGORY=0.20, PRODUCT=0.80),
        _dist(HOME=0.50, PRODUCT=0.50),
    ]
)
INTENT_LANDING = {
    CONTENT: _dist(HOME=0.15, BLOG=0.55, HELP=0.30),
    LEAD: _dist(HOME=0.30, CONTACT=0.30, STORES=0.20, HELP=0.20),
    ACCOUNT: _dist(HOME=0.60, SIGNUP=0.40),
}


def _transitions() -> np.ndarray:
    """T[intent, page] = probabilities of the next page type (last column: exit).

    The checkout pages are left by explicit funnel rules in the simulation; their rows
    here are only the fallback when a session leaves the funnel.
    """
    shop = np.zeros((N_PAGE_TYPES, N_PAGE_TYPES + 1))
    shop[HOME] = _dist(
        CATEGORY=0.42, PRODUCT=0.20, BLOG=0.02, HELP=0.02, CONTACT=0.01, STORES=0.01, SIGNUP=0.01, CART=0.03
    )
    shop[CATEGORY] = _dist(PRODUCT=0.58, CATEGORY=0.10, HOME=0.03, COMPARE=0.02, CART=0.02)
    shop[PRODUCT] = _dist(
        PRODUCT=0.27, CATEGORY=0.17, COMPARE=0.03, STORES=0.015, HOME=0.02, CART=0.05, HELP=0.015
    )
    shop[CART] = _dist(PRODUCT=0.15, CATEGORY=0.05, HOME=0.03, HELP=0.02)
    shop[CHECKOUT] = _dist(CART=0.15)
    shop[SHIPPING] = _dist(CART=0.15)
    shop[PAYMENT] = _dist(CART=0.15)
    shop[CONFIRMATION] = _dist(HOME=0.05, PRODUCT=0.05, BLOG=0.02)
    shop[BLOG] = _dist(BLOG=0.20, PRODUCT=0.20, CATEGORY=0.08, HOME=0.03)
    shop[HELP] = _dist(HELP=0.15, CONTACT=0.08, STORES=0.03, PRODUCT=0.08, HOME=0.04, CART=0.04)
    shop[CONTACT] = _dist(HOME=0.10, STORES=0.08, HELP=0.05)
    shop[SIGNUP] = _dist(HOME=0.25, PRODUCT=0.10, CATEGORY=0.10)
    shop[STORES] = _dist(PRODUCT=0.15, CONTACT=0.08, HOME=0.07)
    shop[COMPARE] = _dist(PRODUCT=0.60, CATEGORY=0.10)

    content = shop.copy()
    content[HOME] = _dist(BLOG=0.35, HELP=0.15, CATEGORY=0.12, PRODUCT=0.05, CONTACT=0.02, SIGNUP=0.01)
    content[CATEGORY] = _dist(PRODUCT=0.45, CATEGORY=0.05, BLOG=0.05)
    content[PRODUCT] = _dist(PRODUCT=0.15, BLOG=0.15, CATEGORY=0.08)
    content[BLOG] = _dist(BLOG=0.35, PRODUCT=0.08, HELP=0.04, HOME=0.04, CONTACT=0.02, SIGNUP=0.02)
    content[HELP] = _dist(HELP=0.30, CONTACT=0.10, BLOG=0.05, HOME=0.05)

    lead = shop.copy()
    lead[HOME] = _dist(CONTACT=0.35, STORES=0.20, HELP=0.15, CATEGORY=0.05)
    lead[HELP] = _dist(CONTACT=0.35, HELP=0.15, STORES=0.05)
    lead[STORES] = _dist(CONTACT=0.25, PRODUCT=0.05)
    lead[CONTACT] = _dist(HOME=0.05, STORES=0.05, HELP=0.05)
    lead[PRODUCT] = _dist(STORES=0.15, CONTACT=0.10, PRODUCT=0.15)

    account = shop.copy()
    account[HOME] = _dist(SIGNUP=0.55, CATEGORY=0.15, BLOG=0.05)
    account[SIGNUP] = _dist(HOME=0.30, CATEGORY=0.15, PRODUCT=0.10)
    return np.stack([shop, content, lead, account])


TRANSITIONS = _transitions()
TRANSITIONS_CUM = np.cumsum(TRANSITIONS, axis=2)
TRANSITIONS_CUM[:, :, -1] = 1.0
AFTER_ADD_TO_CART = _dist(CART=0.55, PRODUCT=0.15, CATEGORY=0.08)

# --- Search terms, videos -------------------------------------------------------------------------
SEARCH_TERMS: tuple[str, ...] = (
    "boots",
    "waterproof jacket",
    "tent 2 person",
    "sleeping bag",
    "headlamp",
    "gift card",
    "socks",
    "backpack 30l",
    "stove",
    "returns",
    "size guide",
    "sale",
)
VIDEO_TITLES: tuple[str, ...] = (
    "Product walkthrough",
    "How to pitch the tent",
    "Fit guide",
    "Field test in the Alps",
    "Care instructions",
)
COLOR_VARIANTS: tuple[str, ...] = ("black", "blue", "green", "red")

# --- Query variants of page URLs --------------------------------------------------------------------
# url code = page_key * N_QUERY + query; query 0 = none, 1..len(COLORS) = ?color=..,
# then one per utm combo (?utm_source=..&utm_medium=..&utm_campaign=..).
Q_NONE = 0
Q_COLOR_BASE = 1
Q_UTM_BASE = Q_COLOR_BASE + len(COLOR_VARIANTS)
N_QUERY = Q_UTM_BASE + N_UTM


def product_price_cents() -> np.ndarray:
    """Deterministic catalog prices (cents) for sku-1..sku-N, ending in .99 or .90."""
    i = np.arange(N_PRODUCTS)
    h = (i * 2654435761) % 1000 / 1000.0  # a fixed scramble, not random
    base = np.exp(np.log(12.0) + h * np.log(320.0 / 12.0))  # 12 .. 320 EUR
    cat = i % N_CATEGORIES
    base = np.where(cat == CATEGORY_SLUGS.index("trail-socks"), base / 8 + 6, base)
    base = np.where(cat == CATEGORY_SLUGS.index("gift-cards"), np.round(base / 25) * 25 + 25, base)
    euros = np.floor(base).astype(np.int64)
    cents = np.where(i % 3 == 0, 90, 99)
    return np.where(cat == CATEGORY_SLUGS.index("gift-cards"), euros * 100, euros * 100 + cents)


PRICE_CENTS = product_price_cents()


def sku_category(sku_index: np.ndarray) -> np.ndarray:
    """Category of a product index (0-based; the sku is index + 1)."""
    return sku_index % N_CATEGORIES


@dataclass(frozen=True)
class Tables:
    """Text dictionaries the renderer indexes into."""

    page_paths: list[str]
    page_titles: list[str]
    alt_titles: list[str]  # what a re-sent duplicate with a changed payload carries
    urls: list[str]  # by url code; referrer codes >= len(urls) are EXTERNAL_REFERRERS
    props: list[str]
    props_product: int
    props_add_to_cart: int
    props_list: int
    props_search: int
    props_scroll: int
    props_video: int
    props_download: int
    props_purchase: int
    max_purchase_items: int


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


@lru_cache(maxsize=1)
def tables() -> Tables:
    """Build the dictionaries once (a few thousand short strings)."""
    paths: list[str] = []
    titles: list[str] = []
    for page_type, n_items in enumerate(PAGE_ITEMS):
        for item in range(n_items):
            path, title = _page(page_type, item)
            paths.append(path)
            titles.append(f"{title} | {SITE_NAME}")
    alt_titles = [t.replace(f" | {SITE_NAME}", f" - {SITE_NAME} Online Store") for t in titles]

    queries = [""] + [f"?color={c}" for c in COLOR_VARIANTS]
    queries += [f"?utm_source={s}&utm_medium={m}&utm_campaign={c}" for s, m, c in UTM_COMBOS]
    assert len(queries) == N_QUERY
    urls = [f"{SITE}{p}{q}" for p in paths for q in queries]

    props = ["{}"]
    props_product = len(props)
    for i in range(N_PRODUCTS):
        props.append(
            f'{{"item_id":"sku-{i + 1}","item_category":"{CATEGORY_SLUGS[i % N_CATEGORIES]}",'
            f'"price":{_money(int(PRICE_CENTS[i]))}}}'
        )
    props_add_to_cart = len(props)
    for i in range(N_PRODUCTS):
        for qty in (1, 2, 3):
            props.append(
                f'{{"item_id":"sku-{i + 1}","price":{_money(int(PRICE_CENTS[i]))},"quantity":{qty}}}'
            )
    props_list = len(props)
    props += [f'{{"item_list_id":"{slug}"}}' for slug in CATEGORY_SLUGS]
    props_search = len(props)
    props += [f'{{"search_term":"{t}"}}' for t in SEARCH_TERMS]
    props_scroll = len(props)
    props.append('{"percent_scrolled":90}')
    props_video = len(props)
    props += [f'{{"video_title":"{t}"}}' for t in VIDEO_TITLES]
    props_download = len(props)
    props += [f'{{"file_name":"ebook-{slug}.pdf"}}' for slug in BLOG_SLUGS]
    props_purchase = len(props)
    max_items = 12
    props += [f'{{"currency":"EUR","items":{k}}}' for k in range(1, max_items + 1)]
    # JSON Lines output escapes only titles and properties: nothing else may need escaping
    plain = [*paths, *urls, *EXTERNAL_REFERRERS, *EVENT_NAMES, *DEVICES, *COUNTRIES, *SEARCH_TERMS]
    plain += [v for combo in UTM_COMBOS for v in combo]
    assert not any(c in text for text in plain for c in '"\\\n\r\t'), "text needs JSON escaping"
    return Tables(
        page_paths=paths,
        page_titles=titles,
        alt_titles=alt_titles,
        urls=urls,
        props=props,
        props_product=props_product,
        props_add_to_cart=props_add_to_cart,
        props_list=props_list,
        props_search=props_search,
        props_scroll=props_scroll,
        props_video=props_video,
        props_download=props_download,
        props_purchase=props_purchase,
        max_purchase_items=max_items,
    )


def _page(page_type: int, item: int) -> tuple[str, str]:
    if page_type == HOME:
        return "/", "Outdoor gear for every trail"
    if page_type == CATEGORY:
        slug = CATEGORY_SLUGS[item]
        return f"/category/{slug}", slug.replace("-", " ").capitalize()
    if page_type == PRODUCT:
        cat = item % N_CATEGORIES
        adjective = PRODUCT_ADJECTIVES[(item // N_CATEGORIES) % len(PRODUCT_ADJECTIVES)]
        return f"/product/sku-{item + 1}", f"{adjective} {CATEGORY_NOUNS[cat]} {100 + item}"
    if page_type == BLOG:
        return f"/blog/{BLOG_SLUGS[item]}", BLOG_TITLES[item]
    if page_type == HELP:
        return f"/help/{HELP_SLUGS[item]}", f"Help: {HELP_TITLES[item]}"
    fixed = {
        CART: ("/cart", "Your cart"),
        CHECKOUT: ("/checkout", "Checkout"),
        SHIPPING: ("/checkout/shipping", "Checkout: shipping"),
        PAYMENT: ("/checkout/payment", "Checkout: payment"),
        CONFIRMATION: ("/checkout/confirmation", "Thank you for your order"),
        CONTACT: ("/contact", "Contact us"),
        SIGNUP: ("/signup", "Create your account"),
        STORES: ("/stores", "Find a store"),
        COMPARE: ("/compare", "Compare products"),
    }
    return fixed[page_type]
