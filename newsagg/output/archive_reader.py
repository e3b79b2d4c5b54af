"""WARC files read back: each response record with its provenance and its request, and the
places where a file is damaged (docs/archive.md).

`warc_records` frames the file into records and damage; here responses are paired with their
requests, and two more things are named as damage, where no digest reaches in a `.warc`: a
record of a type WARC 1.1 does not define, and a response to an http(s) URL that is not an
HTTP message."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from newsagg.output.archive import Provenance
from newsagg.output.warc_records import (
    GZIP_MAGIC,
    Damage,
    HeaderPairs,
    Record,
    http_message,
    records,
)

_RECENT_REQUESTS = 8  # request records kept while their response is looked for

# WARC 1.1's record types; a record of another is named as damage (a changed byte, most
# likely) rather than passed over in silence.
WARC_TYPES = frozenset(
    "warcinfo response resource request metadata revisit conversion continuation".split()
)


@dataclass(frozen=True, slots=True)
class ArchivedResponse:
    """A response record: the HTTP answer as the writer stored it (body still
    content-encoded) and, when the file holds it, the request it answered."""

    provenance: Provenance  # `file` is the archive's file name
    url: str  # WARC-Target-URI
    fetched_at: datetime | None  # WARC-Date
    protocol: str  # "HTTP/1.1"
    status: int
    headers: HeaderPairs  # as written (a Transfer-Encoding under its archived name)
    body: bytes
    method: str | None  # the request's, None when the file has no request for it
    request_headers: HeaderPairs | None


@dataclass(frozen=True, slots=True)
class ArchiveDamage:
    """Where and how an archive file is damaged; the records around it are still read."""

    file: str  # the path as given
    offset: int  # byte offset of the damaged record (its gzip member in a .warc.gz)
    message: str

    def __str__(self) -> str:
        return f"{self.file}: offset {self.offset}: {self.message}"


def read_archives(paths: Iterable[Path | str]) -> Iterator[ArchivedResponse | ArchiveDamage]:
    """Every response record of the files, in order, and every damage where it is met; a
    file that cannot be opened is damage at offset 0."""
    for path in paths:
        yield from read_archive(Path(path))


def read_archive(path: Path) -> Iterator[ArchivedResponse | ArchiveDamage]:
    """One file's response records and damage; gzip or not is told by its first bytes, or
    a `.gz` in its name."""
    try:
        file = path.open("rb")
    except OSError as exc:
        yield ArchiveDamage(str(path), 0, f"cannot be read: {exc.strerror or exc}")
        return
    with file:
        start = file.read(len(GZIP_MAGIC))
        file.seek(0)
        if not start:
            yield ArchiveDamage(str(path), 0, "empty file: no WARC record")
            return
        # By name too: a .warc.gz whose first bytes are damaged is still read member by member.
        gzipped = start == GZIP_MAGIC or ".gz" in path.suffixes
        yield from _responses(records(file, gzipped=gzipped), path.name, str(path))


def _responses(
    framed: Iterator[Record | Damage], file_name: str, path: str
) -> Iterator[ArchivedResponse | ArchiveDamage]:
    """Response records paired with their request records, in either order (linked by
    WARC-Concurrent-To); damage passes through in place."""
    pairing = _Pairing(file_name, path)
    for item in framed:
        if isinstance(item, Damage):
            yield from pairing.flush()
            yield ArchiveDamage(path, item.offset, item.message)
        elif item.type not in WARC_TYPES:
            yield ArchiveDamage(path, item.offset, f"unknown WARC-Type {item.type!r}; skipped")
        elif item.type == "request":
            yield from pairing.request(item)
        elif item.type == "response" and not item.is_http:
            # A dns: or ftp: response is not an HTTP message; an http(s) one must be.
            if item.fields.get("warc-target-uri", "").startswith(("http:", "https:")):
                kind = item.fields.get("content-type", "")
                message = f"response to an HTTP URL with Content-Type {kind!r}; skipped"
                yield ArchiveDamage(path, item.offset, message)
        elif item.type == "response":
            yield from pairing.response(item)
    yield from pairing.flush()


class _Pairing:
    """Responses waiting for their request, requests waiting for their response."""

    def __init__(self, file_name: str, path: str) -> None:
        self.file_name = file_name
        self.path = path
        self.pending: Record | None = None  # a response whose request may come next
        self.recent: dict[str, Record] = {}  # requests by their own id and the ids they link

    def flush(self) -> Iterator[ArchivedResponse | ArchiveDamage]:
        """The waiting response, without its request."""
        if self.pending is not None:
            yield _response(self.pending, None, self.file_name, self.path)
            self.pending = None

    def request(self, item: Record) -> Iterator[ArchivedResponse | ArchiveDamage]:
        pending = self.pending
        if pending is not None and (pending.id in item.links or item.id in pending.links):
            yield _response(pending, item, self.file_name, self.path)
            self.pending = None
            return
        yield from self.flush()
        for key in (item.id, *item.links):
            self.recent[key] = item
        while len(self.recent) > 2 * _RECENT_REQUESTS:
            del self.recent[next(iter(self.recent))]

    def response(self, item: Record) -> Iterator[ArchivedResponse | ArchiveDamage]:
        yield from self.flush()
        recent = self.recent
        request = next((recent[k] for k in (item.id, *item.links) if k in recent), None)
        if request is None:
            self.pending = item
            return
        for key in (request.id, *request.links):
            recent.pop(key, None)
        yield _response(item, request, self.file_name, self.path)


def _response(
    record: Record, request: Record | None, file_name: str, path: str
) -> ArchivedResponse | ArchiveDamage:
    try:
        status_line, headers, body = http_message(record.block)
        protocol, _, rest = status_line.partition(" ")
        status = int(rest[:3])
        if not 100 <= status <= 999:
            raise ValueError(status)
    except ValueError:
        return ArchiveDamage(path, record.offset, "response record holds no HTTP response")
    method = request_headers = None
    if request is not None:
        try:
            request_line, request_headers, _ = http_message(request.block)
            method = request_line.partition(" ")[0]
        except ValueError:
            request_headers = None
    try:
        fetched_at: datetime | None = datetime.fromisoformat(record.fields["warc-date"])
    except (KeyError, ValueError):
        fetched_at = None
    return ArchivedResponse(
        provenance=Provenance(file_name, record.offset, record.id),
        url=record.fields.get("warc-target-uri", ""),
        fetched_at=fetched_at,
        protocol=protocol,
        status=status,
        headers=headers,
        body=body,
        method=method,
        request_headers=request_headers,
    )
