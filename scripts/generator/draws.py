"""Random draws in a fixed order: cumulative probabilities, inverse-CDF tables of BINS entries, the
item a page shows, and the constant tables (landing pages, next pages, properties, dwell times)."""

from __future__ import annotations

import numpy as np

from generator import site
from generator.world import MINUTE_MS, SECOND_MS


def pick(rng: np.random.Generator, probabilities: np.ndarray, count: int) -> np.ndarray:
    """`count` draws of an index from cumulative `probabilities` (last entry 1)."""
    return np.searchsorted(probabilities, rng.random(count), side="right")


def cumulative(weights: np.ndarray) -> np.ndarray:
    """Cumulative probabilities along the last axis (weights normalized, last entry exactly 1)."""
    cumulative = np.cumsum(weights / weights.sum(axis=-1, keepdims=True), axis=-1)
    cumulative[..., -1] = 1.0
    return cumulative


BINS = 4096  # random draws from fixed distributions go through inverse-CDF tables of this size
BIN_MIDPOINTS = (np.arange(BINS) + 0.5) / BINS


def inverse_cdf_table(probabilities: np.ndarray) -> np.ndarray:
    """Inverse-CDF table(s): cumulative probabilities[..., k] -> int8 table[..., BINS] of sampled indices."""
    flat = probabilities.reshape(-1, probabilities.shape[-1])
    table = np.stack([np.searchsorted(row, BIN_MIDPOINTS, side="right") for row in flat]).astype(np.int8)
    return table.reshape(*probabilities.shape[:-1], BINS)


def draw_bins(rng: np.random.Generator, count: int) -> np.ndarray:
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
# which candidate item a page type takes (rows of the candidates in item_for)
ITEM_NONE, ITEM_PRODUCT, ITEM_CATEGORY, ITEM_BLOG, ITEM_HELP = range(5)
_ITEM_KIND = np.full(site.N_PAGE_TYPES + 1, ITEM_NONE, dtype=np.intp)
_ITEM_KIND[[site.PRODUCT, site.CATEGORY, site.BLOG, site.HELP]] = (
    ITEM_PRODUCT,
    ITEM_CATEGORY,
    ITEM_BLOG,
    ITEM_HELP,
)
NO_PAGE = -1  # "from page" of a landing page


def item_for(
    rng: np.random.Generator, page: np.ndarray, from_page: np.ndarray, from_item: np.ndarray
) -> np.ndarray:
    """Item index for arriving at `page` from (from_page, from_item); from_page NO_PAGE = landing."""
    count = len(page)
    item_bin = draw_bins(rng, count)
    category_bin = draw_bins(rng, count)
    from_category = from_page == site.CATEGORY
    product = np.where(from_category, from_item + _IN_CATEGORY_TAB[item_bin], _POPULAR_PRODUCT_TAB[item_bin])
    stays_in_category = (from_page == site.PRODUCT) & (category_bin < BINS // 2)
    category = np.where(stays_in_category, site.sku_category(from_item), _CATEGORY_TAB[item_bin])
    candidates = np.stack(
        [np.zeros(count, dtype=np.int64), product, category, _BLOG_TAB[item_bin], _HELP_TAB[item_bin]]
    )
    return candidates[_ITEM_KIND[page], np.arange(count)]


_LANDING_CUM = cumulative(
    np.stack(
        [
            site.SHOP_LANDING_BY_CHANNEL,
            np.tile(site.INTENT_LANDING[site.CONTENT], (site.N_CHANNELS, 1)),
            np.tile(site.INTENT_LANDING[site.LEAD], (site.N_CHANNELS, 1)),
            np.tile(site.INTENT_LANDING[site.ACCOUNT], (site.N_CHANNELS, 1)),
        ]
    )[:, :, : site.N_PAGE_TYPES]
)
INTENT_TAB = inverse_cdf_table(cumulative(site.INTENT_P_BY_CHANNEL))  # [channel, bin] -> intent
LANDING_TAB = inverse_cdf_table(_LANDING_CUM)  # [intent, channel, bin] -> landing page type
NEXT_TAB = inverse_cdf_table(site.TRANSITIONS_CUM)  # [intent, page, bin] -> next page
AFTER_ADD_TO_CART_TAB = inverse_cdf_table(cumulative(site.AFTER_ADD_TO_CART))
SLOT_P32 = site.SLOT_P.astype(np.float32)
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


PROPS_TAB = _props_table()
# the compact event dtypes (int16 codes) must hold every code
assert len(site.tables().urls) + len(site.EXTERNAL_REFERRERS) < 2**15 and len(site.tables().props) < 2**15


def quantiles(draw: np.ndarray) -> np.ndarray:
    """BINS quantiles of a sample: a table to draw from with draw_bins()."""
    return np.quantile(draw, BIN_MIDPOINTS).astype(np.int64)


_QRNG = np.random.default_rng(20260901)  # fixed: the tables are constants, not per-run randomness
# time on a page before the next page load (ms); rare breaks longer than the session timeout
DWELL_TAB = quantiles(np.clip(_QRNG.lognormal(np.log(35_000), 1.0, 200_000), 2_000, 25 * MINUTE_MS))
# gap between two events on the same page (ms)
GAP_TAB = quantiles(np.clip(_QRNG.lognormal(np.log(5_000), 0.9, 200_000), 400, 120_000))


def whole_seconds(ms: np.ndarray, naive: np.ndarray) -> np.ndarray:
    """Durations of sessions with naive timestamps (no milliseconds) in whole seconds, at least 1 s."""
    return np.where(naive, np.maximum(ms // SECOND_MS, 1) * SECOND_MS, ms)
