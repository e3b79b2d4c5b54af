"""`newsagg/time/<stage>` stats: seconds per stage, for benchmarks (`NEWSAGG_STAGE_TIMERS`)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import wraps
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.extensions.feedexport import FeedExporter

from newsagg.timing import StageTimer, timer_for


class StageTimers:
    """When `NEWSAGG_STAGE_TIMERS` is on: times each item pipeline's `process_item` (stage = its
    module name: `clean`, `validate`...) and each feed exporter's `export_item` (`export`),
    beside what the spider times itself, and writes every stage's sum to the stats at close.
    Off, it is not loaded and nothing is wrapped."""

    def __init__(self, crawler: Crawler, timer: StageTimer) -> None:
        self.crawler = crawler
        self.timer = timer

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        timer = timer_for(crawler)
        if not isinstance(timer, StageTimer):
            raise NotConfigured
        extension = cls(crawler, timer)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        # Connected after FeedExporter's own handler (built earlier), so exporters exist.
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self) -> None:
        assert self.crawler.engine is not None
        itemproc = self.crawler.engine.scraper.itemproc
        methods = itemproc.methods["process_item"]
        for index, method in enumerate(methods):
            if (
                method is None
                or inspect.iscoroutinefunction(method)  # other work runs during its awaits
                or "spider" in inspect.signature(method).parameters  # Scrapy would pass it
            ):
                continue
            stage = type(method.__self__).__module__.rsplit(".", 1)[-1]
            methods[index] = self._timed(stage, method)

    def item_scraped(self) -> None:
        """Wrap each feed's exporter once it exists (the first item's export is not timed)."""
        for extension in self.crawler.extensions.middlewares:
            if not isinstance(extension, FeedExporter):
                continue
            for slot in extension.slots:
                exporter = slot.exporter
                if exporter is not None and not hasattr(exporter.export_item, "__wrapped__"):
                    exporter.export_item = self._timed("export", exporter.export_item)

    def spider_closed(self) -> None:
        for stage, seconds in sorted(self.timer.seconds.items()):
            self.crawler.stats.set_value(f"newsagg/time/{stage}", round(seconds, 6))

    def _timed(self, stage: str, method: Callable[..., Any]) -> Callable[..., Any]:
        timer = self.timer

        @wraps(method)
        def timed(*args: Any) -> Any:
            with timer(stage):
                return method(*args)

        return timed
