"""Every article or page that did not make it into the dataset: counted and written down."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import IO, Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.http import Response

from newsagg.errors import ArticleDropped
from newsagg.output.files import OutputFile
from newsagg.output.storage import close_durably, partial_path
from newsagg.run import RunContext, run_context
from newsagg.signals import page_rejected
from newsagg.timefmt import utc_stamp

logger = logging.getLogger(__name__)


class RejectsLog:
    """Counts each reject in the run's tally (by reason) and appends `{url, site, reason,
    message, found, at}` to a JSON Lines file, written aside; the publish step closes it
    (`finish`) and renames it with the run's other files."""

    def __init__(self, context: RunContext, path: Path) -> None:
        self.context = context
        self.path = path
        self.output: OutputFile | None = None
        self.file: IO[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        context = run_context(crawler)
        extension = cls(context, rejects_path(context))
        context.components["rejects"] = extension
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(extension.page_rejected, signal=page_rejected)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        partial = partial_path(self.path)
        self.output = self.context.files.add("rejects", partial, self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.file = partial.open("w", encoding="utf-8")
        except OSError as exc:
            self.context.files.failed("write_rejects", f"{partial}: {exc}")

    def item_dropped(self, item: Any, response: Response, exception: DropItem) -> None:
        if isinstance(exception, ArticleDropped):
            self.record(exception.url, exception.reason, str(exception), exception.found)
        else:
            url = getattr(item, "url", None) or getattr(response, "url", "")
            self.record(url, "dropped", str(exception), {})

    def page_rejected(self, url: str, reason: str, message: str, found: dict[str, Any]) -> None:
        self.record(url, reason, message, found)

    def record(self, url: str, reason: str, message: str, found: dict[str, Any]) -> None:
        self.context.tally.rejected[reason] += 1
        if self.output is not None:
            self.output.rows += 1
        if reason == "duplicate":
            logger.debug("%s: not written (%s)", url, message)
        else:
            logger.warning("%s: rejected (%s): %s", url, reason, message)
        if self.file is None:
            return
        row = {
            "url": url,
            "site": self.context.site,
            "reason": reason,
            "message": message,
            "found": found,
            "at": utc_stamp(),
        }
        try:
            self.file.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        except OSError as exc:  # still counted; the run will not publish a short file
            self.context.files.failed("write_rejects", f"{self.path}: {exc}")
            self._close_quietly()

    def finish(self) -> None:
        """Flush, fsync and close the file aside (a publish step)."""
        if self.file is None or self.output is None:
            return
        try:
            close_durably(self.file)
        except OSError as exc:
            self.context.files.failed("write_rejects", f"{self.path}: {exc}")
            self._close_quietly()
            return
        self.file = None
        self.output.stored = True

    def _close_quietly(self) -> None:
        if self.file is not None:
            try:
                self.file.close()
            except OSError:
                logger.debug("%s: closing after a write failure failed too", self.path)
            self.file = None


def rejects_path(context: RunContext) -> Path:
    """`NEWSAGG_REJECTS`, else beside the first file feed (`out.jsonl` -> `out.rejects.jsonl`,
    in the dataset layout `{run_id}.jsonl.gz` -> `{run_id}.rejects.jsonl`), else under
    `.newsagg/rejects/`."""
    if context.config.rejects:
        return Path(context.config.rejects).absolute()
    if context.feeds:
        path = context.feeds[0].path
        return path.with_name(f"{path.name.split('.', 1)[0]}.rejects.jsonl")
    stamp = context.run.started.strftime("%Y%m%dT%H%M%SZ")
    return (Path(".newsagg") / "rejects" / f"{context.site}-{stamp}.jsonl").absolute()
