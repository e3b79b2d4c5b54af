"""Scrapy's feed exporter, holding the run's articles until the crawl is done, then writing
each with its final duplicate decision; the state records them once the files are in place.

Why hold them: the canonical copy of a text is the oldest article (lowest numeric id), but
listings are newest first, so the crawl usually meets the copy before the original. Deciding
as items arrive would depend on crawl order; deciding when the crawl is idle (or closing)
sees every candidate. Items wait in a temporary file, not in memory. Writing them through
FeedExporter's own `item_scraped` keeps every feed, format, filter and batch setting working.

Why record only at `feed_exporter_closed`: an article counts as seen once its record is in the
output file (renamed into place by `newsagg.feeds`), never at fetch time. A run killed before
then leaves the state untouched, and the next run fetches those articles again."""

from __future__ import annotations

import logging
import pickle
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO, Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FeedExporter
from scrapy.http import Response
from scrapy.settings import BaseSettings

from newsagg.dedupe.fingerprint import MinHasher
from newsagg.dedupe.resolve import Deduplicator, Entry, Outcome, Policy
from newsagg.errors import StateError
from newsagg.items import Article
from newsagg.state.runtime import crawl_state
from newsagg.state.store import StateStore
from newsagg.timing import timer_for

logger = logging.getLogger(__name__)


class DedupeFeedExporter(FeedExporter):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)  # NotConfigured when there is no feed: nothing to dedupe
        settings = crawler.settings
        policy = (settings.get("NEWSAGG_DUPLICATES") or "").strip().lower()
        if policy not in set(Policy):
            raise ValueError(f"NEWSAGG_DUPLICATES: expected mark or drop, got {policy!r}")
        self.policy = Policy(policy)
        self.hasher = hasher_from_settings(settings)
        arguments = getattr(crawler.spider, "arguments", None)
        self.store = crawl_state(crawler, replay=getattr(arguments, "replay", None) is not None)
        check_index(self.store, self.hasher)
        self.dedupe: Deduplicator | None = None
        self.spool = Spool()
        self.decided: list[Entry] = []
        self.timer = timer_for(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        exporter = super().from_crawler(crawler)
        crawler.signals.connect(exporter.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(exporter.feed_exporter_closed, signal=signals.feed_exporter_closed)
        return exporter

    def open_spider(self, spider: Spider) -> None:
        super().open_spider(spider)
        site = getattr(spider, "site", spider.name)
        self.dedupe = Deduplicator(self.store, self.hasher, site, self.policy, self.timer)
        self.crawler.stats.set_value("newsagg/dedupe/written", 0)  # a run may write nothing

    def item_scraped(self, item: Any, spider: Spider, response: Response | None = None) -> None:
        if not isinstance(item, Article) or self.dedupe is None:
            super().item_scraped(item, spider)
            return
        ref = response.meta.get("ref") if response is not None else None
        with self.timer("dedupe"):
            entry = self.dedupe.add(item, getattr(ref, "url", None))
            self.spool.put(entry.index, item)

    def spider_idle(self, spider: Spider) -> None:
        """The crawl is done (no request left, every item through the pipelines): decide."""
        self.flush(spider)

    async def close_spider(self, spider: Spider) -> None:
        self.flush(spider)  # a run stopped before it was idle (timeout, Ctrl-C) writes too
        await super().close_spider(spider)

    def flush(self, spider: Spider) -> None:
        """Decide every held article and write those to be written, in arrival order."""
        if self.dedupe is None or not len(self.spool):
            return
        with self.timer("dedupe"):
            decided = {entry.index: entry for entry in self.dedupe.resolve()}
        stats = self.crawler.stats
        for index, item in self.spool.drain():
            entry = decided[index]
            decision = entry.decision
            assert decision is not None
            if decision.kind is not None:
                stats.inc_value(f"newsagg/dedupe/duplicate/{decision.kind}")
            elif decision.outcome is Outcome.NEW:
                stats.inc_value("newsagg/dedupe/new")
            if decision.outcome is not Outcome.NEW:
                stats.inc_value(f"newsagg/dedupe/{decision.outcome}")
            if not decision.write:
                if decision.kind is not None:
                    stats.inc_value("newsagg/dedupe/dropped")
                    logger.debug("%s: copy of %s; dropped", item.url, decision.duplicate_of)
                continue
            item.duplicate_of = decision.duplicate_of
            item.updated = decision.outcome is Outcome.UPDATED
            stats.inc_value("newsagg/dedupe/written")
            super().item_scraped(item, spider)
        self.decided.extend(decided.values())

    def feed_exporter_closed(self) -> None:
        """Every feed file is in place: record what this run wrote (or dropped as a copy)."""
        stats = self.crawler.stats
        failed = sum(
            value
            for key, value in stats.get_stats().items()
            if key.startswith("feedexport/failed_count/")
        )
        if self.dedupe is None:
            return
        if failed:
            stats.set_value("newsagg/state/recorded", 0)
            logger.warning(
                "state: %d feed(s) could not be stored; %s not updated, so this run's %d"
                " articles will be fetched again",
                failed,
                self.store.location,
                len(self.decided),
            )
            return
        seen_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        # A generator: each record (with its signature) is written, then dropped.
        records = self.dedupe.records(self.decided, seen_at)
        incremental = getattr(self.crawler.spider, "incremental", None)  # the spider's progress
        listings = incremental.listing_records() if incremental is not None else []
        if not self.decided and not listings:
            return
        try:
            with self.timer("state"):
                count = self.store.record(records, listings)
        except StateError:
            stats.set_value("newsagg/state/recorded", 0)
            logger.exception("state: this run's articles were not recorded")
            return
        stats.set_value("newsagg/state/recorded", count)
        logger.info("state: %d articles recorded in %s", count, self.store.location)


def hasher_from_settings(settings: BaseSettings) -> MinHasher:
    """The MinHash setting of `NEWSAGG_NEAR_DUP_*`; ValueError naming them if out of range."""
    try:
        return MinHasher.create(
            settings.getfloat("NEWSAGG_NEAR_DUP_THRESHOLD"),
            settings.getint("NEWSAGG_NEAR_DUP_NUM_PERM"),
        )
    except ValueError as exc:
        raise ValueError(f"NEWSAGG_NEAR_DUP_THRESHOLD/NUM_PERM: {exc}") from exc


def signatures_mismatch(store: StateStore, hasher: MinHasher) -> str | None:
    """Why the stored signatures cannot serve these settings (num_perm changed), or None.
    The `crawl` command asks before it starts, so the run stops with one line."""
    stored = store.index_params()
    if stored is None or stored.split(" bands=")[0] == hasher.params.split(" bands=")[0]:
        return None
    return (
        f"NEWSAGG_NEAR_DUP_NUM_PERM: state {store.location} holds signatures made with"
        f" {stored!r}; these settings make {hasher.params!r}. Use the settings the state was"
        " built with, or a new NEWSAGG_STATE file."
    )


def check_index(store: StateStore, hasher: MinHasher) -> None:
    """The stored index must match the MinHash settings: a new banding (threshold changed) is
    rebuilt from the stored signatures; new signatures (num_perm changed) cannot be."""
    stored = store.index_params()
    if stored == hasher.params:
        return
    if stored is None:
        store.rebuild_index(hasher.params, None)
        return
    if problem := signatures_mismatch(store, hasher):
        raise ValueError(problem)
    count = store.rebuild_index(hasher.params, hasher.band_keys_of_bytes)
    logger.info("state: near-duplicate index rebuilt for %s (%d articles)", hasher.params, count)


class Spool:
    """Articles waiting for their decision, pickled to an anonymous temporary file."""

    def __init__(self) -> None:
        self.file: IO[bytes] | None = None
        self.count = 0

    def __len__(self) -> int:
        return self.count

    def put(self, index: int, item: Article) -> None:
        if self.file is None:
            # Open across calls, closed by drain(): no `with` block can span that.
            self.file = tempfile.TemporaryFile(prefix="newsagg-spool-")  # noqa: SIM115
        pickle.dump((index, item), self.file, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def drain(self) -> Iterator[tuple[int, Article]]:
        """Every held article, in arrival order; the spool is empty afterwards."""
        if self.file is None:
            return
        self.file.seek(0)
        for _ in range(self.count):
            yield pickle.load(self.file)
        self.file.close()
        self.file, self.count = None, 0
