"""Serve responses from a WARC archive instead of the network (`-a replay=PATH|sample`).

Runs as the first downloader middleware: every other middleware (robots.txt, redirects,
retries, decompression, stats) sees the archived response exactly as it would a downloaded one.
"""

from __future__ import annotations

import logging
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Headers, Request, Response
from scrapy.responsetypes import responsetypes
from warcio.archiveiterator import ArchiveIterator

from newsagg.extract.url import canonical_url

logger = logging.getLogger(__name__)

ArchivedResponse = tuple[int, list[tuple[str, str]], bytes]


def read_archive(path: Path | Traversable) -> dict[str, ArchivedResponse]:
    """Every `response` record of a WARC file, by canonical target URL."""
    records: dict[str, ArchivedResponse] = {}
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type != "response" or record.http_headers is None:
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            status = int(record.http_headers.get_statuscode())
            headers = [
                (name, value)
                for name, value in record.http_headers.headers
                if name.lower() not in ("content-length", "transfer-encoding", "content-encoding")
            ]
            records[canonical_url(url)] = (status, headers, record.content_stream().read())
    return records


class ReplayMiddleware:
    def __init__(self) -> None:
        self.archive: dict[str, ArchivedResponse] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = cls()
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        arguments = getattr(spider, "arguments", None)
        path = getattr(arguments, "replay", None)
        if path is not None:
            self.archive = read_archive(path)
            logger.info("replaying %d archived responses from %s", len(self.archive), path)

    def process_request(self, request: Request) -> Response | None:
        if self.archive is None:
            return None
        archived = self.archive.get(canonical_url(request.url))
        if archived is None:
            return Response(
                request.url, status=404, body=b"not in the replay archive", request=request
            )
        status, headers, body = archived
        http_headers = Headers(headers)
        response_class = responsetypes.from_args(headers=http_headers, url=request.url, body=body)
        return response_class(
            url=request.url, status=status, headers=http_headers, body=body, request=request
        )
