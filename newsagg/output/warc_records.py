"""The records of one WARC file, framed gzip member by member (`.warc.gz`) or record by
record (`.warc`), and the places where the file is damaged (docs/archive.md).

The framing is done here because a reader must say where a file broke: warcio and fastwarc
both hand back the record a truncated file ends in, cut short, without a word. One record is
held at a time, never a whole file.

What a damaged file gives:
- `.warc.gz`: every gzip member is checked by its CRC-32, so a changed byte costs the one
  record whose member holds it. The damage names that member's offset; reading resumes at
  the next gzip member that inflates to a WARC record. A file cut short loses the record it
  ends in; nothing can follow.
- `.warc`: a record whose headers do not parse is named by its offset, and reading resumes
  at the next line that starts a record that reads whole; one whose block does not match its
  `WARC-Block-Digest` (or, lacking that, its HTTP body its `WARC-Payload-Digest`) is named
  and skipped. A changed byte in a record with neither digest goes unseen.
- A file cut exactly between two records (or members) looks whole: only its size and sha256
  in the manifest can tell.
"""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from isal import isal_zlib

GZIP_MAGIC = b"\x1f\x8b\x08"  # gzip id bytes and the deflate method: every member starts so
MAX_RECORD_BYTES = 64 << 20  # a larger record is skipped (and named), not held in memory
_CHUNK = 1 << 20
_INFLATE_STEP = 8 << 20  # most bytes one inflate call may return
_FEED = 32 << 10  # compressed bytes given to one inflate call
_MAX_LINE = 64 << 10

HeaderPairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Record:
    offset: int  # in the file (of its gzip member, in a .warc.gz)
    fields: dict[str, str]  # WARC header names lower-cased; a repeated name keeps the first
    links: tuple[str, ...]  # its WARC-Concurrent-To ids
    block: bytes

    @property
    def type(self) -> str:
        return self.fields.get("warc-type", "")

    @property
    def id(self) -> str:
        return self.fields.get("warc-record-id", "")

    @property
    def is_http(self) -> bool:
        return _is_http_fields(self.fields)


@dataclass(frozen=True, slots=True)
class Damage:
    offset: int  # of the damaged record (its gzip member in a .warc.gz)
    message: str


def records(file: BinaryIO, *, gzipped: bool) -> Iterator[Record | Damage]:
    """Every record of the file in order, and a Damage wherever it does not read."""
    if gzipped:
        return _GzipRecords(file).records()
    return _PlainRecords(file).records()


class _Broken(Exception):
    """Bytes that are not the record they should be; a reader can resume after them."""


class _Truncated(Exception):
    """The file ends inside a record; nothing can follow."""


class _Skipped(Exception):
    """A record framed correctly but not read (too large, or not matching its digest)."""

    def __init__(self, message: str, next_offset: int) -> None:
        super().__init__(message)
        self.next_offset = next_offset


def _read_record(stream: BinaryIO, offset: int, *, verify: bool) -> Record | None:
    """The WARC record at the stream's position (`offset` in the file); None at the end."""
    line = stream.readline(_MAX_LINE)
    if not line:
        return None
    if not line.startswith(b"WARC/"):
        raise _Broken(f"not a WARC record: it starts with {line[:20]!r}")
    fields: dict[str, str] = {}
    links: list[str] = []
    while True:
        line = stream.readline(_MAX_LINE)
        if not line:
            raise _Truncated("the file ends inside the record's WARC headers")
        if line in (b"\r\n", b"\n"):
            break
        name, colon, value = line.decode("utf-8", "replace").partition(":")
        if not colon or not line.endswith(b"\n"):
            raise _Broken(f"WARC header line is not 'Name: value': {line[:40]!r}")
        key, value = name.strip().lower(), value.strip()
        fields.setdefault(key, value)
        if key == "warc-concurrent-to":
            links.append(value)
    try:
        length = int(fields["content-length"])
    except (KeyError, ValueError):
        length = -1
    if length < 0:
        raise _Broken("the record has no valid Content-Length")
    if length > MAX_RECORD_BYTES:
        next_offset = stream.tell() + length + 4
        message = f"record of {length} bytes, over the {MAX_RECORD_BYTES >> 20} MiB read; skipped"
        raise _Skipped(message, next_offset)
    block = stream.read(length)
    if len(block) < length:
        raise _Truncated(f"the file ends {len(block)} bytes into a {length}-byte record block")
    end = stream.read(4)
    if end != b"\r\n\r\n":
        if len(end) < 4 and b"\r\n\r\n".startswith(end):
            raise _Truncated("the file ends before the record's closing CRLF CRLF")
        raise _Broken("the record's block is not followed by CRLF CRLF")
    if verify:
        _verify_digest(fields, block, stream.tell())
    return Record(offset, fields, tuple(links), block)


def _verify_digest(fields: dict[str, str], block: bytes, next_offset: int) -> None:
    """Check the block digest, or else the payload digest of an HTTP message stored whole (a
    chunked one is digested de-chunked, and left unchecked); _Skipped when one differs."""
    if "warc-block-digest" in fields:
        if not _digest_matches(fields["warc-block-digest"], block):
            raise _Skipped("block does not match its WARC-Block-Digest", next_offset)
        return
    if "warc-payload-digest" not in fields or not _is_http_fields(fields):
        return
    try:
        _, headers, body = http_message(block)
    except ValueError:
        return
    if any(name.lower() == "transfer-encoding" for name, _ in headers):
        return
    if not _digest_matches(fields["warc-payload-digest"], body):
        raise _Skipped("payload does not match its WARC-Payload-Digest", next_offset)


def _digest_matches(digest: str, data: bytes) -> bool:
    """A `sha1:` digest (base32 or hex) against the data; other algorithms pass unchecked."""
    if not digest.lower().startswith("sha1:"):
        return True
    value = digest[5:].strip()
    actual = hashlib.sha1(data).digest()
    if len(value) == 40:
        return value.lower() == actual.hex()
    return value.upper() == base64.b32encode(actual).decode("ascii")


class _PlainRecords:
    """The records of an uncompressed .warc, read in place."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file

    def records(self) -> Iterator[Record | Damage]:
        while True:
            offset = self.file.tell()
            try:
                record = _read_record(self.file, offset, verify=True)
            except _Truncated as exc:
                yield Damage(offset, str(exc))
                return
            except _Skipped as exc:
                yield Damage(offset, str(exc))
                self.file.seek(exc.next_offset)
                continue
            except _Broken as exc:
                resume = self._resync(offset)
                yield Damage(offset, _resumed(str(exc), resume))
                if resume is None:
                    return
                self.file.seek(resume)
                continue
            if record is None:
                return
            yield record

    def _resync(self, broken: int) -> int | None:
        """The next line after `broken` that starts a record which reads whole."""
        for candidate in _find_all(self.file, b"WARC/1.", broken + 1):
            self.file.seek(candidate - 1)
            if candidate and self.file.read(1) != b"\n":
                continue
            try:
                if _read_record(self.file, candidate, verify=True) is not None:
                    return candidate
            except (_Broken, _Truncated, _Skipped):
                continue
        return None


class _GzipRecords:
    """The records of a .warc.gz, one gzip member after another; each member is inflated
    whole (one record, as every WARC writer makes them) and checked by its CRC-32."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.data = b""  # bytes read from the file and not yet inflated start at data[pos]
        self.pos = 0
        self.base = 0  # file offset of data[0]

    @property
    def offset(self) -> int:
        return self.base + self.pos

    def records(self) -> Iterator[Record | Damage]:
        self._seek(0)
        while self._available(1):
            offset = self.offset
            try:
                member = self._inflate()
            except _Truncated as exc:
                yield Damage(offset, str(exc))
                return
            except _Broken as exc:
                resume = self._resync(offset)
                yield Damage(offset, _resumed(str(exc), resume))
                if resume is None:
                    return
                self._seek(resume)
                continue
            if member is None:
                limit = MAX_RECORD_BYTES >> 20
                yield Damage(offset, f"gzip member inflates past {limit} MiB")
            else:
                yield from self._member_records(member, offset)

    def _member_records(self, member: bytes, offset: int) -> Iterator[Record | Damage]:
        """The records in one member (several in one member all get the member's offset)."""
        stream = io.BytesIO(member)
        while True:
            try:
                record = _read_record(stream, offset, verify=False)
            except (_Broken, _Skipped) as exc:
                yield Damage(offset, f"{exc} (inside a whole gzip member)")
                return
            except _Truncated as exc:
                yield Damage(offset, f"{exc} (the gzip member ends there)")
                return
            if record is None:
                return
            yield record

    def _inflate(self) -> bytes | None:
        """The member at the current offset, which then moves past it; None if it inflates
        past MAX_RECORD_BYTES."""
        start = self.offset
        if not self._available(len(GZIP_MAGIC)):
            raise _Broken(f"{len(self.data) - self.pos} stray bytes at the end of the file")
        if not self.data.startswith(GZIP_MAGIC, self.pos):
            raise _Broken(f"no gzip member starts here: {self.data[self.pos : self.pos + 8]!r}")
        inflater = isal_zlib.decompressobj(31)
        pieces: list[bytes] | None = []
        size = 0
        while True:
            if not self._available(1):
                raise _Truncated(
                    f"the file ends inside this gzip member, {self.offset - start} bytes into it"
                )
            # Fed in slices: what follows the member's end is copied into unused_data.
            feed = memoryview(self.data)[self.pos : self.pos + _FEED]
            try:
                piece = inflater.decompress(feed, _INFLATE_STEP)
            except isal_zlib.error as exc:
                raise _Broken(f"gzip member does not inflate ({exc})") from None
            size += len(piece)
            if pieces is not None and size <= MAX_RECORD_BYTES:
                pieces.append(piece)
            else:
                pieces = None  # inflate on to find the member's end, keeping nothing
            if inflater.eof:
                self.pos += len(feed) - len(inflater.unused_data)
                return b"".join(pieces) if pieces is not None else None
            self.pos += len(feed) - len(inflater.unconsumed_tail)

    def _available(self, count: int) -> bool:
        """Whether `count` bytes from the current offset are read (reading more if needed)."""
        while len(self.data) - self.pos < count:
            more = self.file.read(_CHUNK)
            if not more:
                return False
            self.data = self.data[self.pos :] + more
            self.base += self.pos
            self.pos = 0
        return True

    def _seek(self, offset: int) -> None:
        self.file.seek(offset)
        self.data, self.pos, self.base = b"", 0, offset

    def _resync(self, broken: int) -> int | None:
        """The next gzip member after `broken` that inflates whole to a WARC record."""
        for candidate in _find_all(self.file, GZIP_MAGIC, broken + 1):
            self._seek(candidate)
            try:
                member = self._inflate()
            except (_Broken, _Truncated):
                continue
            if member is None or member.startswith(b"WARC/"):
                return candidate
        return None


def _find_all(file: BinaryIO, needle: bytes, start: int) -> Iterator[int]:
    """Offsets of `needle` in the file from `start` on, read a chunk at a time. The caller
    may move the file's position between two offsets."""
    scan = start
    while True:
        file.seek(scan)
        chunk = file.read(_CHUNK)
        if len(chunk) < len(needle):
            return
        found = chunk.find(needle)
        if found == -1:
            scan += len(chunk) - len(needle) + 1
            continue
        yield scan + found
        scan += found + 1


def _resumed(problem: str, resume: int | None) -> str:
    if resume is None:
        return f"{problem}; no readable record after it"
    return f"{problem}; resumed at offset {resume}"


def _is_http_fields(fields: dict[str, str]) -> bool:
    return fields.get("content-type", "").startswith("application/http")


def http_message(block: bytes) -> tuple[str, HeaderPairs, bytes]:
    """(start line, headers, body) of an HTTP message; ValueError if it has no header end."""
    end, skip = block.find(b"\r\n\r\n"), 4
    bare = block.find(b"\n\n", 0, len(block) if end == -1 else end)  # headers ending in LF only
    if bare != -1:
        end, skip = bare, 2
    if end == -1:
        raise ValueError("no end of the HTTP headers")
    lines = block[:end].decode("latin-1").split("\n")
    headers: list[tuple[str, str]] = []
    for raw in lines[1:]:
        line = raw.removesuffix("\r")
        if line[:1] in (" ", "\t") and headers:  # an obsolete folded continuation line
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {line.strip()}")
            continue
        name, colon, value = line.partition(":")
        if colon:
            headers.append((name, value.strip(" \t")))
    return lines[0].removesuffix("\r"), tuple(headers), block[end + skip :]
