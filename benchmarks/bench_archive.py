"""The WARC archive's write and read throughput on generated article pages (a benchmark, not
a test; docs/archive.md has the figures).

    .venv/bin/python -m benchmarks.bench_archive                  # 2,000 pages, 3 rounds
    .venv/bin/python -m benchmarks.bench_archive --pages 500 --rounds 1

Pages come from `benchmarks.sitegen` (~90 KB article pages). Each round writes every page as
an exchange with `ArchiveWriter` (files rotated at 64 MB), then reads the files back with
`read_archives`; CPU time (user + sys of this process) and wall time are printed per page,
with the best round. For comparison, the same pages through warcio's WARCWriter (gzip level
9, its only one) and its ArchiveIterator, fastwarc's ArchiveIterator when fastwarc is
importable (it is not a dependency), the writer at each ISA-L level, and gzip alone on the
bodies: the standard library's zlib against ISA-L.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from isal import isal_zlib
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from benchmarks.sitegen import GeneratedSite
from newsagg.output.archive import ArchiveWriter, Exchange
from newsagg.output.archive_reader import ArchivedResponse, read_archives

REQUEST_HEADERS = (
    ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
    ("Accept-Language", "en"),
    ("User-Agent", "newsagg/0.1.0 (+https://github.com/newsagg/newsagg)"),
    ("Accept-Encoding", "gzip, deflate, br"),
)


def exchanges(count: int) -> list[Exchange]:
    site = GeneratedSite(seed=1, n_articles=count)
    now = datetime.now(UTC)
    result = []
    for n in range(1, count + 1):
        path = site.article_path(n)
        status, _, body = site.page(path)
        response_headers = (
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Date", "Thu, 26 Nov 2026 10:11:37 GMT"),
            ("Server", "nginx"),
        )
        result.append(
            Exchange(
                url=f"https://www.maghress.com{path}",
                method="GET",
                request_headers=REQUEST_HEADERS,
                status=status,
                response_headers=response_headers,
                body=body,
                fetched_at=now,
            )
        )
    return result


def measure(action: Callable[[], object]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    action()
    return time.process_time() - cpu, time.perf_counter() - wall


def write_ours(pages: list[Exchange], directory: Path, level: int = 1) -> list[Path]:
    writer = ArchiveWriter(directory, "bench", 64 << 20, {"software": "bench"}, compresslevel=level)
    for exchange in pages:
        writer.write(exchange)
    return [part.partial for part in writer.close()]


def read_ours(paths: list[Path], expected: int) -> None:
    count = sum(isinstance(item, ArchivedResponse) for item in read_archives(paths))
    assert count == expected, count


def write_warcio(pages: list[Exchange], path: Path) -> None:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.1")
        for page in pages:
            http = StatusAndHeaders("200 OK", list(page.response_headers), protocol="HTTP/1.1")
            response = writer.create_warc_record(
                page.url,
                "response",
                payload=io.BytesIO(page.body),
                length=len(page.body),
                http_headers=http,
            )
            sent = StatusAndHeaders(
                f"GET {page.url} HTTP/1.1", list(page.request_headers), is_http_request=True
            )
            request = writer.create_warc_record(page.url, "request", http_headers=sent)
            writer.write_request_response_pair(request, response)


def read_warcio(path: Path, expected: int) -> None:
    count = 0
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type == "response":
                record.content_stream().read()
                count += 1
    assert count == expected, count


def read_fastwarc(path: Path, expected: int) -> None:
    # Imported here: fastwarc is only a comparison, not a dependency.
    from fastwarc.warc import ArchiveIterator as FastIterator
    from fastwarc.warc import WarcRecordType

    with path.open("rb") as stream:
        count = sum(
            bool(record.reader.read())
            for record in FastIterator(stream, record_types=WarcRecordType.response)
        )
    assert count == expected, count


def gzip_alone(pages: list[Exchange], body_bytes: int) -> None:
    """Each body gzipped as one member, by zlib and by ISA-L, at their levels."""
    for name, module, levels in (("zlib", zlib, (1, 6, 9)), ("ISA-L", isal_zlib, (0, 1, 2, 3))):
        for level in levels:
            size = 0
            cpu = time.process_time()
            for page in pages:
                compressor = module.compressobj(level, module.DEFLATED, 31)
                size += len(compressor.compress(page.body) + compressor.flush())
            cpu = time.process_time() - cpu
            print(
                f"gzip alone, {name} level {level}:".ljust(34)
                + f" {cpu / len(pages) * 1000:6.3f} ms CPU/page  ratio {size / body_bytes:.3f}"
            )


def report(label: str, timings: list[tuple[float, float]], pages: int, body_bytes: int) -> None:
    cpu, wall = min(timings)
    print(
        f"{label:<34} {cpu / pages * 1000:6.3f} ms CPU/page  {pages / cpu:7.0f} pages/s"
        f"  {body_bytes / cpu / 1e6:6.0f} MB/s  (wall {wall / pages * 1000:.3f} ms/page)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    pages = exchanges(args.pages)
    body_bytes = sum(len(page.body) for page in pages)
    print(f"{len(pages)} pages, mean body {body_bytes / len(pages) / 1000:.1f} KB")
    with tempfile.TemporaryDirectory(prefix="bench-archive-") as tmp:
        root = Path(tmp)
        writes, reads = [], []
        for round_ in range(args.rounds):
            directory = root / f"ours-{round_}"
            paths: list[Path] = []
            writes.append(measure(lambda d=directory, p=paths: p.extend(write_ours(pages, d))))
            reads.append(measure(lambda p=paths: read_ours(p, len(pages))))
        size = sum(path.stat().st_size for path in paths)
        print(f"archive: {len(paths)} files, {size / body_bytes:.3f} of the body bytes")
        report("ArchiveWriter.write (ISA-L 1)", writes, len(pages), body_bytes)
        report("read_archives", reads, len(pages), body_bytes)
        for level in (0, 2, 3):
            directory = root / f"level-{level}"
            timing = measure(lambda d=directory, lv=level: write_ours(pages, d, lv))
            ratio = sum(f.stat().st_size for f in directory.iterdir()) / body_bytes
            label = f"ArchiveWriter.write (ISA-L {level}, {ratio:.3f})"
            report(label, [timing], len(pages), body_bytes)
        warcio_file = root / "warcio.warc.gz"
        timing = measure(lambda: write_warcio(pages, warcio_file))
        report("warcio WARCWriter (gzip 9)", [timing], len(pages), body_bytes)
        report(
            "warcio ArchiveIterator",
            [measure(lambda: read_warcio(warcio_file, len(pages)))],
            len(pages),
            body_bytes,
        )
        try:
            import fastwarc  # noqa: F401
        except ImportError:
            print("fastwarc ArchiveIterator: not installed, skipped")
        else:
            report(
                "fastwarc ArchiveIterator",
                [measure(lambda: read_fastwarc(warcio_file, len(pages)))],
                len(pages),
                body_bytes,
            )
        report(
            "read_archives, warcio's file",
            [measure(lambda: read_ours([warcio_file], len(pages)))],
            len(pages),
            body_bytes,
        )
    gzip_alone(pages, body_bytes)


if __name__ == "__main__":
    main()
