"""Every article or page that did not make it into the dataset: counted and written down."""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.http import Response

from newsagg.errors import ArticleDropped
from newsagg.feeds import PARTIAL_SUFFIX
from newsagg.output.layout import expand_feed_uri
from newsagg.signals import page_rejected

logger = logging.getLogger(__name__)


class RejectsLog:
    """Counts `newsagg/rejected/<reason>` and appends `{url, site, reason, message, found}` to
    a JSON Lines file, written as `.partial` and renamed into place when the spider closes."""

    def __init__(self, crawler: Crawler, path: Path | None) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = path
        self.file: IO[str] | None = None
        self.count = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        configured = crawler.settings.get("NEWSAGG_REJECTS") or ""
        extension = cls(crawler, Path(configured) if configured else None)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(extension.page_rejected, signal=page_rejected)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        if self.path is None:
            self.path = default_rejects_path(self.crawler, spider)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.file = self._partial(self.path).open("w", encoding="utf-8")
        self.crawler.stats.set_value("newsagg/rejects_file", str(self.path))

    def item_dropped(self, item: Any, response: Response, exception: DropItem) -> None:
        if isinstance(exception, ArticleDropped):
            self.record(exception.url, exception.reason, str(exception), exception.found)
        else:
            url = getattr(item, "url", None) or getattr(response, "url", "")
            self.record(url, "dropped", str(exception), {})

    def page_rejected(self, url: str, reason: str, message: str, found: dict[str, Any]) -> None:
        self.record(url, reason, message, found)

    def record(self, url: str, reason: str, message: str, found: dict[str, Any]) -> None:
        self.count += 1
        self.stats.inc_value(f"newsagg/rejected/{reason}")
        self.stats.inc_value("newsagg/rejected")
        logger.warning("%s: rejected (%s): %s", url, reason, message)
        if self.file is None:
            return
        row = {
            "url": url,
            "site": getattr(self.crawler.spider, "site", None),
            "reason": reason,
            "message": message,
            "found": found,
            "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        self.file.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")

    def spider_closed(self, spider: Spider) -> None:
        if self.file is None or self.path is None:
            return
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        self._partial(self.path).replace(self.path)

    @staticmethod
    def _partial(path: Path) -> Path:
        return path.with_name(path.name + PARTIAL_SUFFIX)


def default_rejects_path(crawler: Crawler, spider: Spider) -> Path:
    """Beside the first file feed (`out.jsonl` -> `out.rejects.jsonl`, in the dataset layout
    `{run_id}.jsonl.gz` -> `{run_id}.rejects.jsonl`); else under .newsagg/."""
    for uri in crawler.settings.getdict("FEEDS"):
        uri = str(uri)
        if "://" in uri and not uri.startswith("file://"):
            continue
        if "%(" in uri and (uri := expand_feed_uri(uri, spider)) is None:
            continue
        path = Path(uri.removeprefix("file://"))
        stem = path.name.split(".", 1)[0]
        return path.with_name(f"{stem}.rejects.jsonl")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(".newsagg") / "rejects" / f"{getattr(spider, 'site', spider.name)}-{stamp}.jsonl"
