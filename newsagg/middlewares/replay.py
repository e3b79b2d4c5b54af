"""Serve responses from a WARC archive instead of the network (`-a replay=PATH|sample`).

Runs as the first downloader middleware: every other middleware (robots.txt, redirects,
retries, decompression, stats) sees the archived response exactly as it would a downloaded one.
A replay never reaches the network: the archive is read (and refused, exit 2) before anything
is requested, and a request it holds no response for is a counted reject, `not_archived`."""

from __future__ import annotations

import logging
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Self

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Request, Response
from scrapy.responsetypes import responsetypes
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from newsagg.errors import NotArchived, StartError
from newsagg.extract.url import canonical_url

logger = logging.getLogger(__name__)

ArchivedResponse = tuple[int, list[tuple[str, str]], bytes]
_DROPPED_HEADERS = ("content-length", "transfer-encoding", "content-encoding")


class ReplayArchive:
    """Every `response` record of one WARC file, by canonical target URL."""

    def __init__(self, source: str, responses: dict[str, ArchivedResponse]) -> None:
        self.source = source
        self.responses = responses

    @classmethod
    def load(cls, path: Path | Traversable) -> Self:
        """Read the whole archive; StartError naming it if it is not a readable WARC file
        holding at least one response."""
        responses: dict[str, ArchivedResponse] = {}
        records = 0
        try:
            with path.open("rb") as stream:
                for record in ArchiveIterator(stream):
                    if not record.format.startswith("warc"):  # warcio reads any text as ARC
                        continue
                    records += 1
                    if record.rec_type != "response" or record.http_headers is None:
                        continue
                    url = record.rec_headers.get_header("WARC-Target-URI")
                    status = int(record.http_headers.get_statuscode())
                    headers = [
                        (name, value)
                        for name, value in record.http_headers.headers
                        if name.lower() not in _DROPPED_HEADERS
                    ]
                    responses[canonical_url(url)] = (
                        status,
                        headers,
                        record.content_stream().read(),
                    )
        except (OSError, ArchiveLoadFailed, ValueError, EOFError) as exc:
            raise StartError(f"replay: {path}: not a readable WARC archive ({exc})") from None
        if not records:
            raise StartError(f"replay: {path}: not a WARC archive (no WARC record in it)")
        if not responses:
            raise StartError(f"replay: {path}: the archive holds no HTTP response")
        return cls(str(path), responses)

    def __len__(self) -> int:
        return len(self.responses)

    def response_for(self, request: Request) -> Response:
        archived = self.responses.get(canonical_url(request.url))
        if archived is None:
            raise NotArchived(f"not in the replay archive {self.source}")
        status, headers, body = archived
        http_headers = Headers(headers)
        response_class = responsetypes.from_args(headers=http_headers, url=request.url, body=body)
        return response_class(
            url=request.url, status=status, headers=http_headers, body=body, request=request
        )


class ReplayMiddleware:
    def __init__(self, archive: ReplayArchive) -> None:
        self.archive = archive

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        from newsagg.run import run_context  # here: the context imports this module

        archive = run_context(crawler).replay
        if archive is None:
            raise NotConfigured("not a replay run")
        logger.info("replaying %d archived responses from %s", len(archive), archive.source)
        return cls(archive)

    def process_request(self, request: Request) -> Response:
        return self.archive.response_for(request)
