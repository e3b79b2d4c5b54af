"""Garbage collection tuned for a long crawl (`NEWSAGG_GC_FREEZE`)."""

from __future__ import annotations

import gc
from typing import Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newsagg.run import config_of


class GcTuning:
    """At spider_opened, `gc.freeze()` moves everything alive (Scrapy, Twisted, lxml, numpy,
    the profiles) out of the collector's sight, and the youngest generation's threshold is
    raised. A full collection then walks only what the crawl itself made, and runs less
    often; cycles are still collected."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        config = config_of(crawler)  # engine tuning: for a crawl of any spider
        if not config.gc_freeze:
            raise NotConfigured
        extension = cls(config.gc_threshold)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        return extension

    def spider_opened(self) -> None:
        gc.collect()
        gc.freeze()
        _, older, oldest = gc.get_threshold()
        gc.set_threshold(self.threshold, older, oldest)
