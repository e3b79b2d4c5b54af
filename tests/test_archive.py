"""The WARC archive: what the writer puts in real files under tmp_path, what the reader (and
warcio) read back, and what a cut, a changed byte or stray bytes cost."""

from __future__ import annotations

import gzip
import hashlib
import io
import random
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsagg.output.archive import ArchivePart, ArchiveWriter, Exchange, Provenance
from newsagg.output.archive_reader import ArchiveDamage, ArchivedResponse, read_archives

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


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_fails_the_write_and_the_writer_can_only_abort(tmp_path: Path) -> None:
    """The first file's partial is a link to /dev/full, where every write fails ENOSPC."""
    (tmp_path / "run-00001.warc.gz.partial").symlink_to("/dev/full")
    writer = ArchiveWriter(tmp_path, "run", 1, WARCINFO)  # rotation flushes after one exchange
    with pytest.raises(OSError, match="No space left on device"):
        writer.write(EXCHANGES[0])
    with pytest.raises(RuntimeError, match=r"archive writer failed earlier: .*No space left"):
        writer.write(EXCHANGES[1])
    with pytest.raises(RuntimeError, match=r"abort\(\) it"):
        writer.close()
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


def expected_response(given: Exchange, provenance: Provenance) -> ArchivedResponse:
    host = given.url.split("/")[2]
    return ArchivedResponse(
        provenance=provenance,
        url=given.url,
        fetched_at=FETCHED,
        protocol="HTTP/1.1",
        status=given.status,
        headers=tuple(given.response_headers),
        body=given.body,
        method=given.method,
        request_headers=(("Host", host), *given.request_headers),
    )


def test_exchanges_read_back_with_their_bytes_headers_status_and_url(tmp_path: Path) -> None:
    provenances, parts = write(tmp_path, EXCHANGES)
    paths = publish(parts)
    assert [p.name for p in paths] == ["20261126T101137Z-0a902a-00001.warc.gz"]
    assert list(read_archives(paths)) == [
        expected_response(given, provenance)
        for given, provenance in zip(EXCHANGES, provenances, strict=True)
    ]
    assert {p.file for p in provenances} == {"20261126T101137Z-0a902a-00001.warc.gz"}


def member_offsets(path: Path) -> list[tuple[str, int]]:
    """(record type, offset) of every record, as warcio finds them."""
    with path.open("rb") as stream:
        iterator = ArchiveIterator(stream)
        return [(record.rec_type, iterator.get_record_offset()) for record in iterator]


def five_pages(tmp_path: Path) -> tuple[Path, list[Provenance], list[tuple[str, int]]]:
    pages = [exchange(n, body=f"{HTML} {n} ".encode() * 40) for n in range(5)]
    provenances, parts = write(tmp_path, pages)
    (path,) = publish(parts)
    return path, provenances, member_offsets(path)


def statuses_and_damage(path: Path) -> list[object]:
    """Each response as (url's last part, its offset), each damage whole."""
    return [
        item if isinstance(item, ArchiveDamage) else (item.url[-4:], item.provenance.offset)
        for item in read_archives([path])
    ]


def test_a_file_cut_inside_a_response_names_that_record_and_keeps_those_before(
    tmp_path: Path,
) -> None:
    path, provenances, _ = five_pages(tmp_path)
    cut = provenances[2].offset + 100
    path.write_bytes(path.read_bytes()[:cut])
    assert statuses_and_damage(path) == [
        ("1000", provenances[0].offset),
        ("1001", provenances[1].offset),
        ArchiveDamage(
            str(path),
            provenances[2].offset,
            "the file ends inside this gzip member, 100 bytes into it",
        ),
    ]


def test_a_file_cut_inside_a_request_loses_its_exchange(tmp_path: Path) -> None:
    path, _, offsets = five_pages(tmp_path)
    request_3 = offsets[1 + 2 * 3]
    assert request_3[0] == "request"
    path.write_bytes(path.read_bytes()[: request_3[1] + 10])
    damage = ArchiveDamage(
        str(path), request_3[1], "the file ends inside this gzip member, 10 bytes into it"
    )
    assert statuses_and_damage(path)[3:] == [damage]


def test_a_changed_byte_costs_only_the_record_that_holds_it(tmp_path: Path) -> None:
    path, provenances, offsets = five_pages(tmp_path)
    data = bytearray(path.read_bytes())
    data[provenances[2].offset + 200] ^= 0x55
    path.write_bytes(bytes(data))
    found = statuses_and_damage(path)
    request_3 = offsets[1 + 2 * 3][1]
    assert [item for item in found if not isinstance(item, ArchiveDamage)] == [
        (f"100{n}", provenances[n].offset) for n in (0, 1, 3, 4)
    ]
    (damage,) = (item for item in found if isinstance(item, ArchiveDamage))
    assert (damage.file, damage.offset) == (str(path), provenances[2].offset)
    assert damage.message.startswith("gzip member does not inflate (")
    assert damage.message.endswith(f"; resumed at offset {request_3}")
    assert found.index(damage) == 2


def test_a_broken_gzip_header_is_skipped_to_the_next_member(tmp_path: Path) -> None:
    path, provenances, offsets = five_pages(tmp_path)
    data = bytearray(path.read_bytes())
    data[provenances[1].offset] = 0x00
    path.write_bytes(bytes(data))
    header = bytes(data[provenances[1].offset : provenances[1].offset + 8])
    request_2 = offsets[1 + 2 * 2][1]
    assert statuses_and_damage(path) == [
        ("1000", provenances[0].offset),
        ArchiveDamage(
            str(path),
            provenances[1].offset,
            f"no gzip member starts here: {header!r}; resumed at offset {request_2}",
        ),
        *((f"100{n}", provenances[n].offset) for n in (2, 3, 4)),
    ]


def test_stray_bytes_between_members_are_named_and_passed(tmp_path: Path) -> None:
    path, provenances, offsets = five_pages(tmp_path)
    data = path.read_bytes()
    at = offsets[1 + 2 * 2][1]  # before the third exchange
    path.write_bytes(data[:at] + b"\x00" * 37 + data[at:])
    shifted = [p.offset + (37 if p.offset > at else 0) for p in provenances]
    assert statuses_and_damage(path) == [
        ("1000", shifted[0]),
        ("1001", shifted[1]),
        ArchiveDamage(
            str(path),
            at,
            f"no gzip member starts here: {bytes(8)!r}; resumed at offset {at + 37}",
        ),
        *((f"100{n}", shifted[n]) for n in (2, 3, 4)),
    ]


def test_no_flipped_bit_gives_a_wrong_response_or_costs_more_than_one(tmp_path: Path) -> None:
    """Every 7th byte of a five-exchange .warc.gz changed in turn: what is read is what was
    written, and at most the one record holding the byte is lost (a lost request leaves its
    response without method; a byte of a gzip header's time stamp or OS field costs nothing:
    no CRC covers them, no reader uses them)."""
    path, _, _ = five_pages(tmp_path)
    data = path.read_bytes()
    original = {r.provenance.offset: r for r in read_archives([path])}
    damaged = tmp_path / "damaged.warc.gz"
    for at in range(0, len(data), 7):
        flipped = bytearray(data)
        flipped[at] ^= 0x10
        damaged.write_bytes(bytes(flipped))
        found = list(read_archives([damaged]))
        responses = [item for item in found if isinstance(item, ArchivedResponse)]
        assert len(responses) >= 4, at
        assert len(found) - len(responses) <= 1, at
        for response in responses:
            written = original[response.provenance.offset]
            without_request = replace(written, method=None, request_headers=None)
            assert replace(response, provenance=written.provenance) in (written, without_request)


def plain_copy(tmp_path: Path) -> tuple[Path, list[tuple[str, int]]]:
    """The five pages as an uncompressed .warc, and its records' offsets."""
    path, _, _ = five_pages(tmp_path)
    plain = path.with_name("plain.warc")
    plain.write_bytes(gzip.decompress(path.read_bytes()))
    return plain, member_offsets(plain)


def test_an_uncompressed_warc_reads_the_same(tmp_path: Path) -> None:
    plain, offsets = plain_copy(tmp_path)
    responses = list(read_archives([plain]))
    assert [(r.url[-4:], r.provenance.offset) for r in responses] == [  # type: ignore[union-attr]
        (f"100{n}", offsets[2 + 2 * n][1]) for n in range(5)
    ]
    assert all(isinstance(r, ArchivedResponse) and r.method == "GET" for r in responses)


def test_an_uncompressed_warc_with_a_changed_body_byte_skips_that_record(tmp_path: Path) -> None:
    plain, offsets = plain_copy(tmp_path)
    data = bytearray(plain.read_bytes())
    response_1 = offsets[2 + 2 * 1][1]
    data[response_1 + 900] ^= 0x20  # inside the body: only the payload digest can tell
    plain.write_bytes(bytes(data))
    assert statuses_and_damage(plain) == [
        ("1000", offsets[2][1]),
        ArchiveDamage(str(plain), response_1, "payload does not match its WARC-Payload-Digest"),
        *((f"100{n}", offsets[2 + 2 * n][1]) for n in (2, 3, 4)),
    ]


def test_an_uncompressed_warc_with_broken_headers_resumes_at_the_next_record(
    tmp_path: Path,
) -> None:
    plain, offsets = plain_copy(tmp_path)
    data = plain.read_bytes()
    response_1 = offsets[2 + 2 * 1][1]
    broken = data[:response_1] + b"GARBAGE" + data[response_1 + 7 :]  # "WARC/1." overwritten
    plain.write_bytes(broken)
    request_2 = offsets[1 + 2 * 2][1]
    assert statuses_and_damage(plain) == [
        ("1000", offsets[2][1]),
        ArchiveDamage(
            str(plain),
            response_1,
            f"not a WARC record: it starts with b'GARBAGE1\\r\\n'; resumed at offset {request_2}",
        ),
        *((f"100{n}", offsets[2 + 2 * n][1]) for n in (2, 3, 4)),
    ]


def test_an_uncompressed_warc_with_a_negative_length_resumes_at_the_next_record(
    tmp_path: Path,
) -> None:
    plain, offsets = plain_copy(tmp_path)
    response_2 = offsets[2 + 2 * 2][1]
    data = plain.read_bytes()
    at = data.index(b"Content-Length: ", response_2) + len(b"Content-Length: ")
    plain.write_bytes(data[:at] + b"-" + data[at + 1 :])
    assert statuses_and_damage(plain)[2:4] == [
        ArchiveDamage(
            str(plain),
            response_2,
            f"the record has no valid Content-Length; resumed at offset {offsets[7][1]}",
        ),
        ("1003", offsets[8][1]),
    ]


@pytest.mark.parametrize(
    ("written", "changed", "message"),
    [
        (b"WARC-Type: response", b"WARC-Type: rasponse", "unknown WARC-Type 'rasponse'; skipped"),
        (
            b"Content-Type: application/http; msgtype=response",
            b"Content-Type: application/htto; msgtype=response",
            "response to an HTTP URL with Content-Type 'application/htto; msgtype=response';"
            " skipped",
        ),
    ],
)
def test_an_uncompressed_warc_names_a_response_it_cannot_take_for_one(
    tmp_path: Path, written: bytes, changed: bytes, message: str
) -> None:
    """A changed byte where no digest reaches, in the record type or the WARC Content-Type,
    is named: a response does not vanish in silence."""
    plain, offsets = plain_copy(tmp_path)
    response_2 = offsets[2 + 2 * 2][1]
    data = plain.read_bytes()
    at = data.index(written, response_2)
    plain.write_bytes(data[:at] + changed + data[at + len(written) :])
    assert statuses_and_damage(plain) == [
        ("1000", offsets[2][1]),
        ("1001", offsets[4][1]),
        ArchiveDamage(str(plain), response_2, message),
        ("1003", offsets[8][1]),
        ("1004", offsets[10][1]),
    ]


def test_an_uncompressed_warc_cut_short_names_the_record(tmp_path: Path) -> None:
    plain, offsets = plain_copy(tmp_path)
    response_3 = offsets[2 + 2 * 3][1]
    data = plain.read_bytes()
    header_end = data.index(b"\r\n\r\n", response_3) + 4
    length = int(data[response_3:header_end].split(b"Content-Length: ")[1].split(b"\r\n")[0])
    plain.write_bytes(data[: header_end + 50])
    assert statuses_and_damage(plain)[3:] == [
        ArchiveDamage(
            str(plain), response_3, f"the file ends 50 bytes into a {length}-byte record block"
        ),
    ]


def test_requests_after_their_responses_are_paired_too(tmp_path: Path) -> None:
    """warcio's write_request_response_pair writes the response first."""
    path = tmp_path / "warcio.warc.gz"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for n in range(2):
            url = f"https://www.maghress.com/fr/lopinion/{1000 + n}"
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            response = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(b"page"),
                length=4,
                http_headers=http,
            )
            sent = StatusAndHeaders(
                f"GET /fr/lopinion/{1000 + n} HTTP/1.1", [("Host", "x")], is_http_request=True
            )
            request = writer.create_warc_record(url, "request", http_headers=sent)
            writer.write_request_response_pair(request, response)
    responses = list(read_archives([path]))
    assert [(r.method, r.request_headers, r.body) for r in responses] == [  # type: ignore[union-attr]
        ("GET", (("Host", "x"),), b"page")
    ] * 2


def test_a_missing_or_empty_file_is_damage_and_the_next_file_is_read(tmp_path: Path) -> None:
    _, parts = write(tmp_path, EXCHANGES[:1])
    (good,) = publish(parts)
    empty = tmp_path / "empty.warc.gz"
    empty.write_bytes(b"")
    missing = tmp_path / "missing.warc.gz"
    found = list(read_archives([missing, empty, good]))
    assert found[:2] == [
        ArchiveDamage(str(missing), 0, "cannot be read: No such file or directory"),
        ArchiveDamage(str(empty), 0, "empty file: no WARC record"),
    ]
    assert [type(item) for item in found[2:]] == [ArchivedResponse]
    assert str(found[0]) == f"{missing}: offset 0: cannot be read: No such file or directory"
