"""A test extension that logs an ERROR once the engine has stopped, after the run's verdict:
the crawl must still exit non-zero (tests/test_guarantees.py)."""

from __future__ import annotations

import logging
from typing import Self

from scrapy import signals
from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class LateError:
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls()
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_stopped(self) -> None:
        logger.error("the engine stopped badly")
