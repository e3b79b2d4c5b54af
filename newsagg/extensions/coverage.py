"""Per-field fill counts over every article extracted (written, or dropped as an `Article`),
into the run's tally: the health check and the manifest read them there."""

from __future__ import annotations

from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler

from newsagg.items import Article
from newsagg.run import run_context
from newsagg.tally import Tally


class ArticleCoverage:
    def __init__(self, tally: Tally) -> None:
        self.tally = tally

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(run_context(crawler).tally)
        crawler.signals.connect(extension.item_done, signal=signals.item_scraped)
        crawler.signals.connect(extension.item_done, signal=signals.item_dropped)
        return extension

    def item_done(self, item: Any) -> None:
        if isinstance(item, Article):
            self.tally.extracted_article(item)
