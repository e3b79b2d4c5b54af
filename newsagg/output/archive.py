"""A run's raw archive: every HTTP exchange written as a WARC/1.1 request record and response
record, one gzip member per record, in files rotated by size (docs/archive.md).

Files are `{stem}-00001.warc.gz`, `{stem}-00002.warc.gz`…, written as `<name>.partial` and
each opened by a `warcinfo` record. `close()` flushes and fsyncs them and says what to publish;
renaming them into place is the publish step's job, and `abort()` deletes them. Records are
formatted here and compressed with ISA-L (`isal`) at its level 1: warcio's writer gzips at
level 9, which costs more CPU than the rest of the crawl (docs/archive.md has the figures)."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from isal import isal_zlib

from newsagg.output.storage import PARTIAL_SUFFIX

WARC_VERSION = "WARC/1.1"
SUFFIX = ".warc.gz"
COMPRESS_LEVEL = 1  # ISA-L's levels are 0-3; 1 compresses HTML as well as zlib's 1, 4x faster
# The body is passed de-chunked (Scrapy hands over no chunk framing), so the header saying it
# was chunked is kept under another name; readers that de-chunk would garble the body.
RENAMED_HEADERS = {"transfer-encoding": "X-Archive-Orig-Transfer-Encoding"}
_WRITE_BUFFER = 1 << 20
_SPACE = re.compile(r"\s")

Headers = Sequence[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Exchange:
    """One HTTP request and the answer to it, as the downloader saw them (a redirect or an
    error answer is an exchange like any other). Header names and values are the wire bytes
    decoded as latin-1, so every byte survives (`header_pairs()` makes them from bytes)."""

    url: str
    method: str
    request_headers: Headers
    status: int
    response_headers: Headers
    body: bytes  # as received: still content-encoded (gzip, br…), chunked framing removed
    fetched_at: datetime  # when the response arrived; timezone-aware
    protocol: str = "HTTP/1.1"
    request_body: bytes = b""


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a response lies: seek a file named `file` to `offset` and warcio's (or any)
    ArchiveIterator reads that response record, `record_id`, first."""

    file: str  # the published file's name, e.g. "20261126T101137Z-0a902a-00001.warc.gz"
    offset: int  # byte offset of the response record's gzip member
    record_id: str  # its WARC-Record-ID, "<urn:uuid:…>"

    def as_dict(self) -> dict[str, str | int]:
        """The record's `warc` field."""
        return {"file": self.file, "offset": self.offset, "record_id": self.record_id}


@dataclass(frozen=True, slots=True)
class ArchivePart:
    """One archive file as written: still at `partial`, to be renamed to `path`."""

    partial: Path
    path: Path
    size: int  # bytes
    sha256: str  # hex digest of the whole file
    responses: int  # exchanges it holds


def header_pairs(headers: Mapping[bytes, Sequence[bytes]]) -> tuple[tuple[str, str], ...]:
    """Headers as the writer takes them, from a bytes multi-mapping such as Scrapy's Headers."""
    return tuple(
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    )


class ArchiveWriter:
    """Writes exchanges into `directory`, starting a new file once the current one has reached
    `max_bytes`; an exchange's two records always share a file. `warcinfo` fields (project
    version, site, run id, settings that matter…) open every file. An OSError from `write()`
    leaves the writer unusable: `abort()` it."""

    def __init__(
        self,
        directory: Path,
        stem: str,
        max_bytes: int,
        warcinfo: Mapping[str, str],
        *,
        compresslevel: int = COMPRESS_LEVEL,
    ) -> None:
        if max_bytes <= 0:
            raise ValueError(f"max_bytes: expected a size in bytes > 0, got {max_bytes}")
        for name, value in warcinfo.items():
            if ":" in name or _has_line_break(name) or _has_line_break(value):
                raise ValueError(
                    f"warcinfo: {name!r}: names take no ':', neither takes a line break"
                )
        self.directory = directory
        self.stem = stem
        self.max_bytes = max_bytes
        self.warcinfo = dict(warcinfo)
        self.compresslevel = compresslevel
        self._parts: list[ArchivePart] = []
        self._current: _OpenFile | None = None
        self._closed = False
        self._failed: BaseException | None = None

    def write(self, exchange: Exchange) -> Provenance:
        """Append the exchange's request and response records; where the response lies."""
        if self._closed:
            raise RuntimeError("archive writer is closed")
        if self._failed is not None:
            raise RuntimeError(f"archive writer failed earlier: {self._failed}")
        request_id, response_id = _record_id(), _record_id()
        common = {
            "WARC-Date": _warc_date(exchange.fetched_at),
            "WARC-Target-URI": _target_uri(exchange.url),
        }
        request, response = _exchange_blocks(exchange)
        try:
            current = self._current or self._start_file()
            current.write_record(
                self._member(
                    "request",
                    request_id,
                    {**common, "WARC-Concurrent-To": response_id},
                    request,
                    warcinfo_id=current.warcinfo_id,
                    digest=("WARC-Block-Digest", request),
                )
            )
            offset = current.size
            current.write_record(
                self._member(
                    "response",
                    response_id,
                    {**common, "WARC-Concurrent-To": request_id},
                    response,
                    warcinfo_id=current.warcinfo_id,
                    digest=("WARC-Payload-Digest", (exchange.body,)),
                )
            )
            current.responses += 1
            provenance = Provenance(current.path.name, offset, response_id)
            if current.size >= self.max_bytes:
                self._finish_file()
        except BaseException as exc:
            self._failed = exc
            raise
        return provenance

    def close(self) -> list[ArchivePart]:
        """Flush and fsync the last file; every file written, in order, still `.partial`."""
        if self._failed is not None:
            raise RuntimeError(f"archive writer failed earlier: {self._failed}; abort() it")
        if not self._closed and self._current is not None:
            self._finish_file()
        self._closed = True
        return list(self._parts)

    def abort(self) -> None:
        """Close without publishing: delete every file this writer made (those already
        renamed by the publish step are not there any more, and stay)."""
        self._closed = True
        partials = [part.partial for part in self._parts]
        if self._current is not None:
            with contextlib.suppress(OSError):  # a full disk fails the flush: nothing to keep
                self._current.file.close()
            partials.append(self._current.partial)
            self._current = None
        for partial in partials:
            partial.unlink(missing_ok=True)

    def _start_file(self) -> _OpenFile:
        path = self.directory / f"{self.stem}-{len(self._parts) + 1:05d}{SUFFIX}"
        self.directory.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + PARTIAL_SUFFIX)
        opened = _OpenFile(path, partial, partial.open("wb", buffering=_WRITE_BUFFER))
        self._current = opened
        fields = dict(self.warcinfo)
        fields.setdefault("format", "WARC File Format 1.1")
        fields.setdefault(
            "conformsTo",
            "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        )
        block = "".join(f"{name}: {value}\r\n" for name, value in fields.items()).encode("utf-8")
        opened.write_record(
            self._member(
                "warcinfo",
                opened.warcinfo_id,
                {"WARC-Date": _warc_date(datetime.now(UTC)), "WARC-Filename": path.name},
                (block,),
                warcinfo_id=None,
                digest=("WARC-Block-Digest", (block,)),
                content_type="application/warc-fields",
            )
        )
        return opened

    def _finish_file(self) -> None:
        current = self._current
        assert current is not None
        current.file.flush()  # may fail (a full disk): the file stays current, for abort()
        os.fsync(current.file.fileno())
        current.file.close()
        self._current = None
        self._parts.append(current.part(sha256=current.digest.hexdigest()))

    def _member(
        self,
        warc_type: str,
        record_id: str,
        fields: Mapping[str, str],
        block: Sequence[bytes],
        *,
        warcinfo_id: str | None,
        digest: tuple[str, Sequence[bytes]],
        content_type: str | None = None,
    ) -> bytes:
        """One record as one gzip member: WARC headers, the block, CRLF CRLF."""
        digest_name, digested = digest
        sha1 = hashlib.sha1()
        for piece in digested:
            sha1.update(piece)
        lines = [
            WARC_VERSION,
            f"WARC-Type: {warc_type}",
            f"WARC-Record-ID: {record_id}",
            *(f"{name}: {value}" for name, value in fields.items()),
            *([f"WARC-Warcinfo-ID: {warcinfo_id}"] if warcinfo_id else []),
            f"{digest_name}: sha1:{base64.b32encode(sha1.digest()).decode('ascii')}",
            f"Content-Type: {content_type or f'application/http; msgtype={warc_type}'}",
            f"Content-Length: {sum(len(piece) for piece in block)}",
            "\r\n",
        ]
        compressor = isal_zlib.compressobj(self.compresslevel, isal_zlib.DEFLATED, 31)
        pieces = [compressor.compress("\r\n".join(lines).encode("utf-8"))]
        pieces += [compressor.compress(piece) for piece in block]
        pieces += [compressor.compress(b"\r\n\r\n"), compressor.flush()]
        return b"".join(pieces)


class _OpenFile:
    """The file being written, with its running size and sha256."""

    def __init__(self, path: Path, partial: Path, file: BinaryIO) -> None:
        self.path = path
        self.partial = partial
        self.file = file
        self.size = 0
        self.responses = 0
        self.digest = hashlib.sha256()
        self.warcinfo_id = _record_id()

    def write_record(self, member: bytes) -> None:
        self.file.write(member)
        self.digest.update(member)
        self.size += len(member)

    def part(self, sha256: str) -> ArchivePart:
        return ArchivePart(self.partial, self.path, self.size, sha256, self.responses)


def _exchange_blocks(exchange: Exchange) -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
    """The request and the response as HTTP messages: (head, body) each."""
    target = urlsplit(exchange.url)
    path = (target.path or "/") + (f"?{target.query}" if target.query else "")
    request_headers = list(exchange.request_headers)
    if not any(name.lower() == "host" for name, _ in request_headers):
        request_headers.insert(0, ("Host", target.netloc.rpartition("@")[2]))
    request_line = f"{exchange.method} {path} {exchange.protocol}"
    try:
        reason = HTTPStatus(exchange.status).phrase
    except ValueError:
        reason = ""
    status_line = f"{exchange.protocol} {exchange.status} {reason}".rstrip()
    response_headers = [
        (RENAMED_HEADERS.get(name.lower(), name), value)
        for name, value in exchange.response_headers
    ]
    return (
        (_http_head(request_line, request_headers), exchange.request_body),
        (_http_head(status_line, response_headers), exchange.body),
    )


def _http_head(first_line: str, headers: Headers) -> bytes:
    lines = [first_line, *(f"{name}: {value}" for name, value in headers), "", ""]
    text = "\r\n".join(lines)
    if text.count("\n") != len(lines) - 1 or "\r" in text.replace("\r\n", ""):
        raise ValueError(f"HTTP header or start line with a line break: {first_line!r}")
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError as exc:
        raise ValueError(f"HTTP headers must be latin-1 decoded bytes: {exc}") from None


def _target_uri(url: str) -> str:
    if not url.isascii() or _SPACE.search(url):
        raise ValueError(f"URL must be ASCII without spaces (percent-encoded): {url!r}")
    return url


def _warc_date(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError(f"fetch time must be timezone-aware, got {moment.isoformat()}")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def _has_line_break(text: str) -> bool:
    return "\r" in text or "\n" in text
