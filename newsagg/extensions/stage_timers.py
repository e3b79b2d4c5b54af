"""`newsagg/time/<stage>` stats: seconds per stage, for benchmarks (`NEWSAGG_STAGE_TIMERS`)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import wraps
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.exporters import BaseItemExporter
from scrapy.extensions.feedexport import FeedExporter

from newsagg import stats as keys
from newsagg.run import run_context
from newsagg.timing import StageTimer


class StageTimers:
    """When `NEWSAGG_STAGE_TIMERS` is on: times each item pipeline's `process_item` (stage = its
    module name: `clean`, `validate`...) and each feed's exporter (`export`),
    beside what the spider times itself, and writes every stage's sum to the stats at close.
    Off, it is not loaded and nothing is wrapped."""

    def __init__(self, crawler: Crawler, timer: StageTimer) -> None:
        self.crawler = crawler
        self.timer = timer

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        timer = run_context(crawler).timer
        if not isinstance(timer, StageTimer):
            raise NotConfigured
        extension = cls(crawler, timer)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        # The run is published once the feeds are closed, after spider_closed: write again.
        crawler.signals.connect(extension.spider_closed, signal=signals.feed_exporter_closed)
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

        for extension in self.crawler.extensions.middlewares:
            if isinstance(extension, FeedExporter):  # its slots build exporters from this dict
                for format_, exporter_cls in extension.exporters.items():
                    extension.exporters[format_] = self._timed_exporter(exporter_cls)

    def spider_closed(self) -> None:
        for stage, seconds in sorted(self.timer.seconds.items()):
            self.crawler.stats.set_value(keys.stage_time(stage), round(seconds, 6))

    def _timed_exporter(self, exporter_cls: type[BaseItemExporter]) -> type[BaseItemExporter]:
        timer = self.timer

        class TimedExporter(exporter_cls):  # type: ignore[valid-type,misc]
            def export_item(self, item: Any) -> Any:
                with timer("export"):
                    return super().export_item(item)

        return TimedExporter

    def _timed(self, stage: str, method: Callable[..., Any]) -> Callable[..., Any]:
        timer = self.timer

        @wraps(method)
        def timed(*args: Any) -> Any:
            with timer(stage):
                return method(*args)

        return timed
