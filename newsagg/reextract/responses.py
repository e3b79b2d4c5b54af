"""Archived responses as the crawl's callbacks saw them: Scrapy responses of the right class,
their bodies decoded as Scrapy's HttpCompressionMiddleware decodes them in the crawl (its own
encoding split and decoders are used, so both read a body alike)."""

from __future__ import annotations

from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.http import Headers, Request, Response
from scrapy.responsetypes import responsetypes

from newsagg.output.archive import RENAMED_HEADERS
from newsagg.output.archive_reader import ArchivedResponse

_DECODINGS = HttpCompressionMiddleware
MAX_SIZE = 1 << 30  # DOWNLOAD_MAXSIZE's default: a body larger decoded is refused
_ARCHIVE_ONLY = {name.lower() for name in RENAMED_HEADERS.values()}


class Undecodable(Exception):
    """A body its Content-Encoding does not decode (or past DOWNLOAD_MAXSIZE)."""


def scrapy_response(archived: ArchivedResponse) -> Response:
    """The response as Scrapy's downloader would have handed it to the spider."""
    headers = Headers()
    for name, value in archived.headers:
        if name.lower() not in _ARCHIVE_ONLY:
            headers.appendlist(name.encode("latin-1"), value.encode("latin-1"))
    body = archived.body
    encodings = headers.getlist("Content-Encoding")
    if encodings and archived.method != "HEAD":
        to_decode, to_keep = _DECODINGS._split_encodings(encodings)
        try:
            for encoding in to_decode:
                body = _DECODINGS._decode(body, encoding, MAX_SIZE)
        except Exception as exc:  # gzip's OSError, zlib.error, brotli.error, the size limit
            raise Undecodable(f"{type(exc).__name__}: {exc}") from None
        if to_keep:
            headers["Content-Encoding"] = to_keep
        else:
            del headers["Content-Encoding"]
    cls = responsetypes.from_args(headers=headers, url=archived.url, body=body)
    return cls(
        url=archived.url,
        status=archived.status,
        headers=headers,
        body=body,
        protocol=archived.protocol,
        request=Request(archived.url, method=archived.method or "GET"),
    )
