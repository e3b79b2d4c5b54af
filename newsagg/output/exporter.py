"""Scrapy's feed exporter, holding the run's articles until the crawl is done, then writing
each with its final duplicate decision into the `.partial` feed files.

Each article arrives looked up and fingerprinted by the item pipeline's dedupe stage
(newsagg.pipelines.dedupe); what is left for here is the run-wide choice of canonical copies.

Why hold them: the canonical copy of a text can only be chosen once every candidate of the run
is known, whatever order the crawl met them in (newsagg.dedupe.resolve). Items wait on disk
(queuelib's FIFO), not in memory. Writing them through FeedExporter's own `item_scraped` keeps
every feed, format, filter and batch setting working. These are the first two steps of the
publish (decide duplicates, write the feed files); the rest is newsagg.output.publish's, on
`feed_exporter_closed`."""

from __future__ import annotations

import logging
import pickle
import shutil
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

from queuelib import FifoDiskQueue
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FeedExporter, FeedSlot
from scrapy.http import Response

from newsagg.dedupe.entry import Outcome
from newsagg.errors import StartError
from newsagg.items import Article
from newsagg.output.scratch import scratch_dir
from newsagg.pipelines.dedupe import dedupe_stage, hasher_of, run_deduplicator
from newsagg.run import RunContext, run_context
from newsagg.signals import page_rejected

logger = logging.getLogger(__name__)


class DedupeFeedExporter(FeedExporter):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)  # NotConfigured when there is no feed: nothing to dedupe
        self.context = run_context(crawler)
        self.dedupe = run_deduplicator(self.context)
        self.spool = Spool()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        exporter = super().from_crawler(crawler)
        crawler.signals.connect(exporter.feed_slot_closed, signal=signals.feed_slot_closed)
        return exporter

    def item_scraped(self, item: Any, spider: Spider, response: Response | None = None) -> None:
        if not isinstance(item, Article):
            super().item_scraped(item, spider)
            return
        ref = response.meta.get("ref") if response is not None else None
        entry = dedupe_stage(self.context).take(item, getattr(ref, "url", None))
        if entry is None:  # logged as an error by the signal: the run fails, nothing lost
            raise RuntimeError(
                f"{item.url}: reached the feed without passing the dedupe stage; a pipeline"
                " after newsagg.pipelines.dedupe.DedupePipeline replaced it"
            )
        with self.context.timer("dedupe"):
            self.spool.put(self.dedupe.admit(entry).index, item)

    async def close_spider(self, spider: Spider) -> None:
        """Decide and write (a failure is the publish step's to report), then let Scrapy close
        the feeds, which fsyncs them aside and sends `feed_exporter_closed`."""
        files = self.context.files
        try:
            with self.context.timer("dedupe"):
                self.flush(spider)
        except Exception as exc:  # a full disk, most likely: the run must not publish
            logger.exception("publish: the feed files could not be written")
            files.failed("write_feeds", f"{type(exc).__name__}: {exc}")
            self._abandon_slots()
        await super().close_spider(spider)

    def flush(self, spider: Spider) -> None:
        """Decide every held article and write those to be written, in arrival order."""
        self.dedupe.resolve()
        tally = self.context.tally
        tally.to_write = self.dedupe.to_write()
        for index, item in self.spool.drain():
            decision = self.dedupe.decision(index)
            assert decision is not None
            if decision.kind is not None:
                tally.copies[decision.kind] += 1
            elif decision.outcome is Outcome.NEW:
                tally.outcomes[str(Outcome.NEW)] += 1
            if decision.outcome is not Outcome.NEW:
                tally.outcomes[str(decision.outcome)] += 1
            if not decision.write:
                if decision.kind is not None:
                    tally.outcomes["dropped"] += 1
                    self._record_dropped_copy(item, decision.duplicate_of, decision.kind)
                continue
            item.duplicate_of = decision.duplicate_of
            item.updated = decision.outcome is Outcome.UPDATED
            super().item_scraped(item, spider)
            tally.written += 1

    def _record_dropped_copy(self, item: Article, canonical: str | None, kind: str) -> None:
        """`NEWSAGG_DUPLICATES=drop`: not written, but counted and recorded."""
        self.crawler.signals.send_catch_log(
            page_rejected,
            url=item.url,
            reason="duplicate",
            message=f"{kind} copy of {canonical}; not written (NEWSAGG_DUPLICATES=drop)",
            found={"duplicate_of": canonical, "kind": kind, "title": item.title},
        )

    def feed_slot_closed(self, slot: FeedSlot) -> None:
        partial = getattr(slot.storage, "partial_path", None)
        if partial is not None:
            self.context.files.set_rows(partial, slot.itemcount)

    def _abandon_slots(self) -> None:
        """After a write failed, close the feed files as they are, so Scrapy stores none of
        them; the publish step deletes them."""
        for slot in self.slots:
            if slot.file is not None:
                try:
                    slot.file.close()
                except Exception:  # the failure is already recorded
                    logger.debug("closing %s after the failure failed too", slot.uri)
        self.slots = []


def check_index(context: RunContext) -> None:
    """StartError (exit 2) if the stored signatures cannot serve these settings: a new
    num_perm makes other signatures, which the stored texts cannot be given again."""
    hasher = hasher_of(context)
    stored = context.store.index_params()
    if stored is not None and stored.split(" bands=")[0] != hasher.params.split(" bands=")[0]:
        raise StartError(
            f"NEWSAGG_NEAR_DUP_NUM_PERM: state {context.store.location} holds signatures made"
            f" with {stored!r}; these settings make {hasher.params!r}. Use the settings the"
            " state was built with, or a new NEWSAGG_STATE file."
        )


def fit_index(context: RunContext) -> None:
    """The stored index made to match the MinHash settings: a new banding (threshold changed)
    is rebuilt from the stored signatures (check_index has refused new signatures)."""
    hasher = hasher_of(context)
    store = context.store
    stored = store.index_params()
    if stored == hasher.params:
        return
    if stored is None:
        store.rebuild_index(hasher.params, None)
        return
    count = store.rebuild_index(hasher.params, hasher.band_keys_of_bytes)
    logger.info("state: near-duplicate index rebuilt for %s (%d articles)", hasher.params, count)


class Spool:
    """Articles waiting for their decision, pickled into queuelib's disk FIFO in a scratch
    directory (removed once drained, or at exit; by the next run if this one is killed)."""

    def __init__(self) -> None:
        self.directory: Path | None = None
        self.queue: FifoDiskQueue | None = None

    def __len__(self) -> int:
        return len(self.queue) if self.queue is not None else 0

    def put(self, index: int, item: Article) -> None:
        if self.queue is None:
            # Open across calls, removed by drain(): no `with` block can span that.
            self.directory = scratch_dir("spool")
            weakref.finalize(self, shutil.rmtree, self.directory, ignore_errors=True)
            self.queue = FifoDiskQueue(str(self.directory))
        self.queue.push(pickle.dumps((index, item), protocol=pickle.HIGHEST_PROTOCOL))

    def drain(self) -> Iterator[tuple[int, Article]]:
        """Every held article, in arrival order; the spool is empty afterwards."""
        if self.queue is None or self.directory is None:
            return
        while (data := self.queue.pop()) is not None:
            yield pickle.loads(data)
        self.queue.close()
        shutil.rmtree(self.directory, ignore_errors=True)
        self.queue = self.directory = None
