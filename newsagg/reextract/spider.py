"""The aggregator spider, fed from archives instead of the network: its start yields the
articles of the archived pages, which then take the crawl's own way (item pipelines, dedupe
exporter, publish step, verdict). Nothing is downloaded."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider

from newsagg import stats as keys
from newsagg.items import Article
from newsagg.output.archive_reader import read_archives
from newsagg.pipelines.clean import cleaned_ahead
from newsagg.pipelines.dedupe import hasher_of, run_deduplicator
from newsagg.reextract.pages import (
    ArticleResult,
    BodyAhead,
    ListingResult,
    PageSorter,
    read_work,
    start_worker,
)
from newsagg.reextract.pool import OrderedPool, WorkerLost
from newsagg.spiders.aggregator import AggregatorSpider
from newsagg.spiders.article_page import Rejection

SOURCE = "reextract"  # RunContext.components: the ReextractSource
WORKER_LOST = "worker_lost"  # the finish reason of a run whose worker process died

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReextractSource:
    paths: tuple[Path, ...]
    workers: int


class ReextractSpider(AggregatorSpider):
    pool: OrderedPool

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        source: ReextractSource = spider.context.components[SOURCE]
        # With worker processes, they also do the item pipelines' work on each body (clean,
        # hash, fingerprint): this process, which runs the pipelines, limits the rate.
        hasher = hasher_of(spider.context) if source.workers > 1 else None
        initargs = (spider.profile, spider.arguments, spider.context.hosts, hasher)
        spider.pool = OrderedPool(source.workers, start_worker, initargs)
        spider.pool.start()  # the workers set up while the engine does
        crawler.signals.connect(spider.pool.close, signal=signals.spider_closed)
        return spider

    async def start(self) -> AsyncIterator[Article]:
        source: ReextractSource = self.context.components[SOURCE]
        sorter = PageSorter(self.profile, self.context.hosts, self.crawler.stats)
        try:
            for result in self.pool.map(read_work, sorter.works(read_archives(source.paths))):
                if isinstance(result, ListingResult):
                    sorter.listing_read(result)
                elif (article := self.article_of(result, sorter)) is not None:
                    yield article
        except WorkerLost as exc:
            # Python words what it saw in more than one way: the line is ours alone. What was
            # read before is published, as by any run that stops early, and judged unhealthy.
            logger.error(
                "reextract: a worker process died (killed, out of memory?) before giving back"
                " its pages: the run stops there"
            )
            raise CloseSpider(WORKER_LOST) from exc
        finally:
            self.crawler.stats.set_value(keys.REEXTRACT_BATCHES_SENT, self.pool.sent)
            self.crawler.stats.set_value(keys.REEXTRACT_BATCHES_HERE, self.pool.here)

    def article_of(self, result: ArticleResult, sorter: PageSorter) -> Article | None:
        author = sorter.teaser_author(result.ref.url)
        found = result.outcome
        if isinstance(found, Rejection):
            self.rejected(found)
            return None
        if not self.counted_and_kept(found, None):
            return None
        article = self.article(result.ref, found, author, result.provenance)
        if result.ahead is not None:
            self.offer_ahead(article, result.ahead)
        return article

    def offer_ahead(self, article: Article, ahead: BodyAhead) -> None:
        """The pipelines' work on the article's body, for the stages that would do it."""
        if article.body is None:
            return
        cleaned_ahead(self.context).offer(article.body, ahead.cleaned)
        content_hash = ahead.cleaned[1]
        if content_hash is not None and ahead.fingerprint is not None:
            run_deduplicator(self.context).offer(content_hash, ahead.fingerprint)
