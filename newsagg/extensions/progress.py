"""A progress line every NEWSAGG_PROGRESS_INTERVAL seconds, for whoever watches a long crawl."""

from __future__ import annotations

import logging
from typing import Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import AsyncioLoopingCall, create_looping_call
from twisted.internet.task import LoopingCall

from newsagg.run import run_context

logger = logging.getLogger(__name__)


class Progress:
    """`maghress: progress: 120 pages (58/min), 100 articles extracted, 3 rejects, 45 queued,
    2 downloading`. Articles are written, and copies decided, when the crawl is done."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.context = run_context(crawler)
        self.interval = interval
        self.task: AsyncioLoopingCall | LoopingCall | None = None
        self.pages_before = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        interval = run_context(crawler).config.progress_interval
        if interval <= 0:
            raise NotConfigured("NEWSAGG_PROGRESS_INTERVAL is 0")
        extension = cls(crawler, interval)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        self.task = create_looping_call(self.report, spider)
        self.task.start(self.interval, now=False)

    def report(self, spider: Spider) -> None:
        stats = self.crawler.stats
        pages = stats.get_value("response_received_count", 0)
        per_minute = (pages - self.pages_before) * 60 / self.interval
        self.pages_before = pages
        queued = stats.get_value("scheduler/enqueued", 0) - stats.get_value("scheduler/dequeued", 0)
        engine = self.crawler.engine
        downloading = len(engine.downloader.active) if engine else 0
        tally = self.context.tally
        logger.info(
            "%s: progress: %d pages (%.0f/min), %d articles extracted, %d rejects, "
            "%d queued, %d downloading",
            self.context.site,
            pages,
            per_minute,
            tally.extracted,
            tally.rejects,
            queued,
            downloading,
        )

    def spider_closed(self, spider: Spider) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
