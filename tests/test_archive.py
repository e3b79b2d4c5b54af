"""The WARC archive: what the writer puts in real files under tmp_path, as warcio reads them."""

from __future__ import annotations

import gzip
import hashlib
import random
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsagg.output.archive import ArchivePart, ArchiveWriter, Exchange, Provenance

FETCHED = datetime(2026, 11, 26, 10, 11, 37, 123456, tzinfo=UTC)
SENT = (("User-Agent", "newsagg/0.1.0"), ("Accept-Encoding", "gzip, deflate"))
WARCINFO = {"software": "newsagg/0.1.0", "site": "maghress", "run_id": "20261126T101137Z-0a902a"}
HTML = "<html><head><title>Article</title></head><body><p>Publié dans L'opinion</p></body></html>"


def exchange(n: int, **changes: object) -> Exchange:
    fields: dict[str, object] = {
        "url": f"https://www.maghress.com/fr/lopinion/{1000 + n}",
        "method": "GET",
        "request_headers": SENT,
        "status": 200,
        "response_headers": (("Content-Type", "text/html; charset=utf-8"),),
        "body": f"{HTML} {n}".encode(),
        "fetched_at": FETCHED,
    }
    fields.update(changes)
    return Exchange(**fields)  # type: ignore[arg-type]


# A page, a redirect, error answers, a gzip-encoded body, bytes of every value, repeated and
# non-ASCII header values: each is an exchange like any other.
EXCHANGES = [
    exchange(0),
    exchange(
        1,
        url="https://www.maghress.com/fr/lopinion/1001?utm_source=x",
        status=301,
        response_headers=(("Location", "https://www.maghress.com/fr/lopinion/1001"),),
        body=b"",
    ),
    exchange(2, status=404, body=b"<html><body>Not found</body></html>"),
    exchange(3, status=503, response_headers=(("Retry-After", "120"),), body=b"busy"),
    exchange(
        4,
        response_headers=(
            ("Content-Type", "text/html; charset=windows-1256"),
            ("Content-Encoding", "gzip"),
            ("Set-Cookie", "a=1; Path=/"),
            ("Set-Cookie", "b=2; Path=/"),
            ("X-Title", "Publi\xe9"),  # the byte 0xE9, as latin-1
        ),
        body=gzip.compress("نشر في هسبريس".encode("cp1256"), mtime=0),
    ),
    exchange(5, url="http://127.0.0.1:8080/robots.txt", body=bytes(range(256)) * 4),
    exchange(
        6,
        method="POST",
        request_headers=(("Content-Type", "application/x-www-form-urlencoded"),),
        request_body=b"q=maroc",
        status=418,
        body=b"",
    ),
]


Written = tuple[list[Provenance], list[ArchivePart]]


def write(directory: Path, exchanges: list[Exchange], max_bytes: int = 1 << 30) -> Written:
    """The exchanges archived in `directory`: where each response lies, and the files."""
    writer = ArchiveWriter(directory, "20261126T101137Z-0a902a", max_bytes, WARCINFO)
    provenances = [writer.write(e) for e in exchanges]
    return provenances, writer.close()


def publish(parts: list[ArchivePart]) -> list[Path]:
    """What the publish step does: rename each partial into place."""
    for part in parts:
        part.partial.rename(part.path)
    return [part.path for part in parts]


def test_provenance_opens_the_exact_response_with_warcio(tmp_path: Path) -> None:
    provenances, parts = write(tmp_path, EXCHANGES)
    publish(parts)
    for given, provenance in zip(EXCHANGES, provenances, strict=True):
        with (tmp_path / provenance.file).open("rb") as stream:
            stream.seek(provenance.offset)
            record = next(iter(ArchiveIterator(stream)))
            assert record.rec_type == "response"
            assert record.rec_headers.get_header("WARC-Record-ID") == provenance.record_id
            assert record.rec_headers.get_header("WARC-Target-URI") == given.url
            assert record.rec_headers.get_header("WARC-Date") == "2026-11-26T10:11:37.123456Z"
            assert record.http_headers.get_statuscode() == str(given.status)
            assert record.raw_stream.read() == given.body  # as received, still encoded


def test_warcio_reads_every_record_and_checks_every_digest(tmp_path: Path) -> None:
    _, parts = write(tmp_path, EXCHANGES)
    (path,) = publish(parts)
    with path.open("rb") as stream:
        records = [
            (r.rec_type, r.rec_headers.get_header("WARC-Target-URI"))
            for r in ArchiveIterator(stream)
        ]
    assert records == [
        ("warcinfo", None),
        *((kind, e.url) for e in EXCHANGES for kind in ("request", "response")),
    ]
    checked = subprocess.run(
        [sys.executable, "-m", "warcio.cli", "check", "-v", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout
    assert checked.stdout.count("digest pass") == 1 + 2 * len(EXCHANGES)


def warcio_responses(paths: list[Path]) -> list[tuple[list[tuple[str, str]], bytes]]:
    """(HTTP headers, raw body) of every response record, as warcio reads them."""
    found = []
    for path in paths:
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response":
                    found.append((record.http_headers.headers, record.raw_stream.read()))
    return found


def test_a_chunked_answer_keeps_its_transfer_encoding_under_another_name(tmp_path: Path) -> None:
    chunked = exchange(0, response_headers=(("Transfer-Encoding", "chunked"),))
    _, parts = write(tmp_path, [chunked])
    assert warcio_responses(publish(parts)) == [
        ([("X-Archive-Orig-Transfer-Encoding", "chunked")], chunked.body)
    ]


def test_each_file_opens_with_warcinfo_and_its_records_point_to_it(tmp_path: Path) -> None:
    _, parts = write(tmp_path, EXCHANGES[:4], max_bytes=1)
    for path in publish(parts):
        with path.open("rb") as stream:
            records = [
                (r.rec_headers, r.content_stream().read() if r.rec_type == "warcinfo" else b"")
                for r in ArchiveIterator(stream)
            ]
        (info, fields), *exchange_records = records
        assert info.get_header("WARC-Type") == "warcinfo"
        assert info.get_header("WARC-Filename") == path.name
        assert fields.decode().split("\r\n") == [
            "software: newsagg/0.1.0",
            "site: maghress",
            "run_id: 20261126T101137Z-0a902a",
            "format: WARC File Format 1.1",
            "conformsTo: https://iipc.github.io/warc-specifications/specifications/"
            "warc-format/warc-1.1/",
            "",
        ]
        info_id = info.get_header("WARC-Record-ID")
        assert [h.get_header("WARC-Warcinfo-ID") for h, _ in exchange_records] == [info_id] * 2


def test_files_rotate_once_they_reach_max_bytes(tmp_path: Path) -> None:
    """Bodies of 10,000 random bytes make exchanges of ~10.5 KB: three reach 25,000 bytes."""
    rng = random.Random(12)
    pages = [exchange(n, body=rng.randbytes(10_000)) for n in range(10)]
    provenances, parts = write(tmp_path, pages, max_bytes=25_000)
    assert [part.responses for part in parts] == [3, 3, 3, 1]
    assert [part.path.name for part in parts] == [
        f"20261126T101137Z-0a902a-{n:05d}.warc.gz" for n in (1, 2, 3, 4)
    ]
    assert [p.file for p in provenances] == [parts[n // 3].path.name for n in range(10)]
    assert all(part.size >= 25_000 for part in parts[:3])
    assert [body for _, body in warcio_responses(publish(parts))] == [p.body for p in pages]


def test_one_file_per_exchange_when_max_bytes_is_tiny(tmp_path: Path) -> None:
    _, parts = write(tmp_path, EXCHANGES[:3], max_bytes=1)
    assert [part.responses for part in parts] == [1, 1, 1]


def test_close_gives_each_partial_with_its_size_and_sha256(tmp_path: Path) -> None:
    _, parts = write(tmp_path, EXCHANGES, max_bytes=2_000)
    assert len(parts) > 1
    for part in parts:
        assert part.partial == part.path.with_name(part.path.name + ".partial")
        assert not part.path.exists()  # renaming is the publish step's job
        data = part.partial.read_bytes()
        assert part.size == len(data)
        assert part.sha256 == hashlib.sha256(data).hexdigest()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.partial.name for p in parts)


def test_abort_leaves_nothing(tmp_path: Path) -> None:
    directory = tmp_path / "day"
    writer = ArchiveWriter(directory, "run", 2_000, WARCINFO)
    for given in EXCHANGES:
        writer.write(given)
    assert len(list(directory.iterdir())) > 1  # rotated files and the open one
    writer.abort()
    assert list(directory.iterdir()) == []


def test_abort_after_close_deletes_the_partials_too(tmp_path: Path) -> None:
    writer = ArchiveWriter(tmp_path, "run", 1, WARCINFO)
    writer.write(EXCHANGES[0])
    assert len(writer.close()) == 1
    writer.abort()
    assert list(tmp_path.iterdir()) == []


def test_no_exchange_no_file(tmp_path: Path) -> None:
    assert ArchiveWriter(tmp_path / "none", "run", 1, WARCINFO).close() == []
    assert not (tmp_path / "none").exists()


def test_exchanges_the_writer_cannot_store_are_refused_before_writing(tmp_path: Path) -> None:
    writer = ArchiveWriter(tmp_path, "run", 1 << 20, WARCINFO)
    naive = datetime(2026, 11, 26, 10, 11, 37)
    with pytest.raises(ValueError, match="fetch time must be timezone-aware"):
        writer.write(exchange(0, fetched_at=naive))
    with pytest.raises(ValueError, match="header or start line with a line break"):
        writer.write(exchange(0, response_headers=(("X-Bad", "a\r\nInjected: 1"),)))
    with pytest.raises(ValueError, match="URL must be ASCII without spaces"):
        writer.write(exchange(0, url="https://www.maghress.com/fr/a b"))
    provenance = writer.write(exchange(0))  # still usable: nothing was written
    assert provenance.offset > 0
    writer.close()
    with pytest.raises(RuntimeError, match="archive writer is closed"):
        writer.write(exchange(1))
    with pytest.raises(ValueError, match="max_bytes"):
        ArchiveWriter(tmp_path, "run", 0, WARCINFO)
    with pytest.raises(ValueError, match="warcinfo: 'bad'"):
        ArchiveWriter(tmp_path, "run", 1, {"bad": "two\nlines"})
