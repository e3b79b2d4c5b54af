"""At the end of a run: one INFO line of what was written, rejected and skipped, one for
dedupe (new, updated, unchanged and copied articles, what incremental crawling spared), then a
table."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from newsagg.stats import stats_under

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
        by_reason = stats_under(stats, "newsagg/rejected/")
        skipped = stats_under(stats, "newsagg/skipped/")
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
        logger.info("%s", summary_table(stats, reason, by_reason))


def summary_table(stats: dict[str, Any], reason: str, by_reason: dict[str, int]) -> str:
    """The run's numbers, one per row, for the end of the log."""
    started = stats.get("start_time")
    seconds = (datetime.now(UTC) - started).total_seconds() if started else 0.0
    pages = stats.get("response_received_count", 0)
    rows = [
        ("run", stats.get("newsagg/run_id", "-")),
        ("finish reason", reason),
        ("duration", f"{seconds:.1f} s"),
        ("pages", f"{pages} ({pages * 60 / seconds:.0f}/min)" if seconds >= 1 else str(pages)),
        ("listing pages", stats.get("newsagg/listing_pages", 0)),
        ("articles written", stats.get("item_scraped_count", 0)),
        ("duplicates", stats.get("newsagg/duplicates", 0)),
        ("rejected", stats.get("newsagg/rejected", 0)),
        *((f"  {name}", count) for name, count in by_reason.items()),
        ("retries", stats.get("retry/count", 0)),
    ]
    width = max(len(name) for name, _ in rows)
    return "run summary:\n" + "\n".join(f"  {name:<{width}}  {value}" for name, value in rows)
