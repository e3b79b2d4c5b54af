"""One INFO line at the end of a run: what was written, rejected and skipped; and one for
dedupe: new, updated, unchanged and copied articles, and what incremental crawling spared."""

from __future__ import annotations

import logging
from typing import Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

DEDUPE_COUNTS = ("new", "updated", "unchanged", "duplicate/exact", "duplicate/near", "dropped")


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
        site = getattr(spider, "site", spider.name)
        logger.info(
            "%s: run finished (%s): %d articles written, %d rejected %s, skipped %s; rejects in %s",
            site,
            reason,
            stats.get("newsagg/dedupe/written", stats.get("item_scraped_count", 0)),
            stats.get("newsagg/rejected", 0),
            by_reason or "{}",
            skipped or "{}",
            stats.get("newsagg/rejects_file", "-"),
        )
        if any(key.startswith("newsagg/dedupe/") for key in stats):
            logger.info(
                "%s: dedupe: %d new, %d updated, %d unchanged; copies: %d exact, %d near,"
                " %d of them dropped; %d known articles not requested, %d listings stopped on"
                " known pages",
                site,
                *(stats.get(f"newsagg/dedupe/{name}", 0) for name in DEDUPE_COUNTS),
                stats.get("newsagg/skipped/known", 0),
                stats.get("newsagg/listings/stopped_known", 0),
            )
