"""A run's raw archive as part of its publish step: where its WARC files go, what their
`warcinfo` says, and how they join the run's other files (docs/archive.md).

The files are written `.partial` beside the run's dataset file (or its first `-o`/`-O` file)
while the crawl goes on; `finish()`, the publish step's first act, closes them and registers
each as an `archive` file of the run, so they are journaled, checksummed, renamed and listed in
the manifest with the items file, and deleted with it when the run is not published. A write
that fails (a full disk) stops the archive, not the crawl: the run then fails at its publish
step (`write_archive`, exit 4), as an items file that could not be written does."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Self

from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy.statscollectors import StatsCollector

from newsagg import __version__
from newsagg import stats as keys
from newsagg.output.archive import ArchiveWriter, Exchange, Provenance, header_pairs

if TYPE_CHECKING:
    from newsagg.run import RunContext

logger = logging.getLogger(__name__)

# Settings a reader of the archive may need to know how its pages were asked for.
WARCINFO_SETTINGS = ("USER_AGENT", "ROBOTSTXT_OBEY", "DOWNLOAD_DELAY", "CONCURRENT_REQUESTS")


class RunArchive:
    def __init__(self, context: RunContext, writer: ArchiveWriter, stats: StatsCollector) -> None:
        self.context = context
        self.writer = writer
        self.stats = stats
        self.failed = False
        self.finished = False

    @classmethod
    def of(cls, context: RunContext, crawler: Crawler) -> Self | None:
        """The run's archive, or None when NEWSAGG_ARCHIVE leaves this run without one."""
        directory = archive_directory(context)
        if directory is None:
            return None
        info = {
            "software": f"newsagg/{__version__}",
            "site": context.site,
            "run_id": context.run.id,
            # The spider arguments as given (JSON): re-extraction reads the pages as this run did.
            "arguments": json.dumps(context.raw_arguments, ensure_ascii=True, sort_keys=True),
            **{name.lower(): str(crawler.settings.get(name)) for name in WARCINFO_SETTINGS},
        }
        max_bytes = context.config.archive_max_bytes
        writer = ArchiveWriter(directory, context.run.id, max_bytes, info)
        return cls(context, writer, crawler.stats)

    def record(self, request: Request, response: Response) -> Provenance | None:
        """Write one exchange; where its response lies, or None once the archive failed."""
        if self.failed or self.finished:
            return None
        exchange = Exchange(
            url=response.url,
            method=request.method,
            request_headers=header_pairs(request.headers),
            status=response.status,
            response_headers=header_pairs(response.headers),
            body=response.body,
            fetched_at=datetime.now(UTC),
            protocol=response.protocol or "HTTP/1.1",
            request_body=request.body,
        )
        stats = self.stats
        try:
            provenance = self.writer.write(exchange)
        except ValueError as exc:  # a URL or header WARC cannot hold: counted, the crawl goes on
            logger.warning("archive: %s not archived: %s", response.url, exc)
            stats.inc_value(keys.ARCHIVE_REFUSED)
            return None
        except OSError as exc:
            self.failed = True
            self.context.files.failed("write_archive", f"{self.writer.directory}: {exc}")
            logger.error("archive: %s: %s; the run will not be published", response.url, exc)
            return None
        stats.inc_value(keys.ARCHIVE_RESPONSES)
        stats.inc_value(keys.ARCHIVE_BYTES, len(response.body))
        return provenance

    def finish(self) -> None:
        """Close the files and hand them to the publish step (or delete them, when a write
        failed: the run is not published)."""
        if self.finished:
            return
        self.finished = True
        if self.failed:
            self.writer.abort()
            return
        try:
            parts = self.writer.close()
        except OSError as exc:
            self.writer.abort()
            self.context.files.failed("write_archive", f"{self.writer.directory}: {exc}")
            return
        for part in parts:
            output = self.context.files.add("archive", part.partial, part.path)
            output.stored, output.rows = True, part.responses


def archive_directory(context: RunContext) -> Path | None:
    """Where the run's archive goes: beside its dataset file (NEWSAGG_ARCHIVE auto or on), or
    its first -o/-O file (on); None for no archive."""
    mode = context.config.archive
    if mode == "off" or context.shared is not None or not context.feeds:
        return None
    dataset = [feed for feed in context.feeds if feed.dataset]
    if dataset:
        return dataset[0].path.parent
    return context.feeds[0].path.parent if mode == "on" else None
