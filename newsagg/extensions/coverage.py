"""What the run's articles held: per-field fill counts, an example URL of each gap, duplicates."""

from __future__ import annotations

from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from newsagg.items import Article

# Fields an article page may fail to give; the others are always set.
TRACKED_FIELDS = ("title", "source", "source_url", "published", "body")


class ArticleCoverage:
    """Over every article extracted (exported, or dropped as an `Article`), counts
    `newsagg/articles`, `newsagg/filled/<field>` and keeps the first URL lacking each field in
    `newsagg/missing_example/<field>`; `newsagg/duplicates` counts exported articles that carry
    `duplicate_of`. The health check and the manifest read these stats."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(crawler.stats)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.item_dropped, signal=signals.item_dropped)
        return extension

    def item_scraped(self, item: Any) -> None:
        if isinstance(item, Article):
            self.count(item)
            if item.duplicate_of:
                self.stats.inc_value("newsagg/duplicates")

    def item_dropped(self, item: Any, response: Response, exception: DropItem) -> None:
        if isinstance(item, Article):
            self.count(item)

    def count(self, item: Article) -> None:
        self.stats.inc_value("newsagg/articles")
        for name in TRACKED_FIELDS:
            if getattr(item, name):
                self.stats.inc_value(f"newsagg/filled/{name}")
            elif self.stats.get_value(f"newsagg/missing_example/{name}") is None:
                self.stats.set_value(f"newsagg/missing_example/{name}", item.url)
