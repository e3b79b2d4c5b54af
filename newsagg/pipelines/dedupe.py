"""The dedupe stage of the item pipeline, its last: each article, as it arrives, looked up in
the state (its id: new, updated or unchanged; its text's hash: an exact copy of an earlier
run's article) and fingerprinted (MinHash and LSH band keys: its near-copy candidates, and the
nearest stored near-copy).

Only the choice of the canonical copy among the run's own articles waits: it needs every
candidate of the run, whatever order the crawl met them in, so the run's publish step makes it
(`Deduplicator.resolve`, from the dedupe exporter, or from a shared run's publisher). The
stage hands each article's entry to whichever holds it until then (`take`)."""

from __future__ import annotations

from typing import Any, Self

import redis
from scrapy import signals
from scrapy.crawler import Crawler

from newsagg.dedupe.entry import Entry, Policy
from newsagg.dedupe.fingerprint import MinHasher
from newsagg.dedupe.resolve import Deduplicator
from newsagg.items import Article
from newsagg.run import RunContext, run_context

DEDUPE = "dedupe"  # RunContext.components: the run's Deduplicator
STAGE = "dedupe_stage"  # RunContext.components: the DedupePipeline


def hasher_of(context: RunContext) -> MinHasher:
    config = context.config
    return MinHasher.create(config.near_dup_threshold, config.near_dup_num_perm)


def new_deduplicator(context: RunContext) -> Deduplicator:
    return Deduplicator(
        context.store,
        hasher_of(context),
        context.site,
        Policy(context.config.duplicates),
        agencies=context.arguments.profile.news_agencies,
        state_empty=context.known_at_start == 0,
    )


def run_deduplicator(context: RunContext) -> Deduplicator:
    """The run's one Deduplicator, made by whichever component asks first."""
    dedupe = context.components.get(DEDUPE)
    if dedupe is None:
        dedupe = context.components[DEDUPE] = new_deduplicator(context)
    return dedupe


class DedupePipeline:
    def __init__(self, context: RunContext) -> None:
        self.dedupe = run_deduplicator(context)
        self.timer = context.timer
        # Entries of the articles between this stage and `item_scraped`, by id(item): the item
        # is alive (and its id unique) until then. Scrapy hands pipelines no response, so the
        # URL an article was requested by joins its entry there (`take`).
        self.arrived: dict[int, Entry] = {}
        # A shared run's state is Redis. Lost mid-run, this worker stops (the link logs it
        # once) and the article goes without an entry: its request stays leased, and is
        # answered again by a worker that can journal it.
        self.link = context.member.link if context.member is not None else None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        context = run_context(crawler)
        pipeline = cls(context)
        context.components[STAGE] = pipeline
        crawler.signals.connect(pipeline.forget, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.forget, signal=signals.item_error)
        return pipeline

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        try:
            with self.timer("state"):
                entry = self.dedupe.look_up(item)
            with self.timer("near_duplicates"):
                self.dedupe.fingerprint(entry, item)
        except redis.RedisError as exc:
            if self.link is None:
                raise
            self.link.fail(exc)
            return item
        self.arrived[id(item)] = entry
        return item

    def take(self, item: Article, requested_url: str | None) -> Entry | None:
        """The entry of an article this stage let through, with the URL it was requested by
        (kept as an alias when a redirect moved it); None if it has none (state lost)."""
        entry = self.arrived.pop(id(item), None)
        if entry is not None:
            entry.requested_by(requested_url)
        return entry

    def forget(self, item: Any, **_: Any) -> None:
        """An article a later stage dropped or failed on: it never reaches the dataset."""
        self.arrived.pop(id(item), None)


def dedupe_stage(context: RunContext) -> DedupePipeline:
    """The run's dedupe stage, for the component that holds its entries."""
    return context.components[STAGE]
