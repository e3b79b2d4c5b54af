"""One INFO line at the end of a run: what was written, rejected and skipped."""

from __future__ import annotations

import logging
from typing import Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class RunSummary:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = self.crawler.stats.get_stats()
        by_reason = {
            key.removeprefix("newsagg/rejected/"): value
            for key, value in sorted(stats.items())
            if key.startswith("newsagg/rejected/")
        }
        skipped = {
            key.removeprefix("newsagg/skipped/"): value
            for key, value in sorted(stats.items())
            if key.startswith("newsagg/skipped/")
        }
        logger.info(
            "%s: run finished (%s): %d articles written, %d rejected %s, skipped %s; rejects in %s",
            getattr(spider, "site", spider.name),
            reason,
            stats.get("item_scraped_count", 0),
            stats.get("newsagg/rejected", 0),
            by_reason or "{}",
            skipped or "{}",
            stats.get("newsagg/rejects_file", "-"),
        )
