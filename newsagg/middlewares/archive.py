"""Every HTTP exchange of the run written to its raw archive (newsagg.output.run_archive).

Placed between Scrapy's redirect, retry and decompression middlewares and the downloader
(order 890), it sees each answer as it came: a redirect before it is followed, each 500 before
it is retried, a body still gzip- or brotli-encoded; robots.txt passes here too. Where the
response lies in the archive is left in its request's meta (`WARC_META`) for the record's
`warc` field."""

from __future__ import annotations

from typing import Self

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response

from newsagg.output.run_archive import RunArchive
from newsagg.run import run_context
from newsagg.timing import Timer

WARC_META = "newsagg_warc"  # request meta: the Provenance of its response's record


class ArchiveMiddleware:
    def __init__(self, archive: RunArchive, timer: Timer) -> None:
        self.archive = archive
        self.timer = timer

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        context = run_context(crawler)
        archive = RunArchive.of(context, crawler)
        if archive is None:
            raise NotConfigured("no archive for this run (NEWSAGG_ARCHIVE)")
        context.components["archive"] = archive
        return cls(archive, context.timer)

    def process_response(self, request: Request, response: Response) -> Response:
        with self.timer("archive"):
            provenance = self.archive.record(request, response)
        if provenance is not None:
            request.meta[WARC_META] = provenance
        return response
