"""One state store per crawl, shared by the spider (which links are known) and the feed
exporter (which records what was written); opened on first use, closed when the engine stops."""

from __future__ import annotations

import logging
from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.crawler import Crawler

from newsagg.state.store import StateStore, open_state_store, state_location

logger = logging.getLogger(__name__)

_STORES: WeakKeyDictionary[Crawler, StateStore] = WeakKeyDictionary()


def crawl_state(crawler: Crawler, *, replay: bool = False) -> StateStore:
    """The crawl's store at `NEWSAGG_STATE` (see `state_location`); `StateError` naming the
    location if it cannot be opened. `replay` only matters on the first call."""
    store = _STORES.get(crawler)
    if store is not None:
        return store
    location = state_location(crawler.settings.get("NEWSAGG_STATE") or "", replay=replay)
    store = open_state_store(location)
    _STORES[crawler] = store

    def close() -> None:
        _STORES.pop(crawler, None)
        store.close()

    crawler.signals.connect(close, signal=signals.engine_stopped, weak=False)
    logger.info("state: %s (%d articles known)", store.location, store.count())
    return store
