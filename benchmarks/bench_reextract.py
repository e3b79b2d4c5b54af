"""Re-extraction throughput and memory: `scrapy newsagg-reextract` over an archive of a
generated site (a benchmark, not a test; docs/performance.md has the figures).

    .venv/bin/python -m benchmarks.bench_reextract                      # 10,000 articles
    .venv/bin/python -m benchmarks.bench_reextract --scale 50000        # and RSS at 50,000
    .venv/bin/python -m benchmarks.bench_reextract --pairs 3            # 1 and 2 workers, 3x

The archive is written with the crawl's own `ArchiveWriter` from `benchmarks.sitegen`, in a
crawl's order (each listing page, then the articles it links to, robots.txt first), as a
crawl of `http://127.0.0.1:8000` would have left it. Each re-extraction runs in a process of
its own into `-O` JSON Lines; its wall time and the CPU time of its whole process tree (the
worker processes included: they are joined before it exits) are read from `wait4`, its peak
RSS sampled (`benchmarks.peak`). Every article must come out: the run fails
otherwise."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.peak import PeakRss
from benchmarks.sitegen import GeneratedSite
from newsagg.output.archive import ArchiveWriter, Exchange

REPO = Path(__file__).resolve().parent.parent
BASE = "http://127.0.0.1:8000"
REQUEST_HEADERS = (
    ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
    ("User-Agent", "newsagg/0.1.0 (+https://github.com/newsagg/newsagg)"),
    ("Accept-Encoding", "gzip, deflate, br"),
)


def write_archive(site: GeneratedSite, directory: Path) -> tuple[list[Path], int, int]:
    """The site as a crawl archives it; (files, responses, article pages)."""
    info = {"software": "newsagg/bench", "site": "maghress", "run_id": "bench"}
    info["arguments"] = json.dumps({"site": "maghress", "base_url": BASE})
    writer = ArchiveWriter(directory, "bench", 1_000_000_000, info)
    responses = articles = 0

    def exchange(path: str) -> None:
        nonlocal responses
        status, headers, body = site.page(path)
        writer.write(
            Exchange(
                url=BASE + path,
                method="GET",
                request_headers=REQUEST_HEADERS,
                status=status,
                response_headers=tuple(headers.items()),
                body=body,
                fetched_at=datetime.now(UTC),
            )
        )
        responses += 1

    exchange("/robots.txt")
    for lang in site.languages:
        for page in range(1, site.listing_page_count(lang) + 1):
            exchange(site.listing_page_path(lang, page))
            for article_id in site.listing_ids(lang, page):
                exchange(site.article_path(article_id))
                articles += 1
    parts = writer.close()
    for part in parts:
        part.partial.replace(part.path)
    return [part.path for part in parts], responses, articles


def reextract(archive: list[Path], workers: int, output: Path) -> dict[str, Any]:
    command = [sys.executable, "-m", "scrapy", "newsagg-reextract", *map(str, archive)]
    command += ["--workers", str(workers), "-O", str(output), "-s", "LOG_LEVEL=WARNING"]
    command += ["-s", "NEWSAGG_HEALTH_MIN_SAMPLE=1000000"]  # generated pages: no rate rules
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, stderr=subprocess.PIPE, text=True)
    peak = PeakRss(process.pid)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    peak.stop()
    assert process.stderr is not None
    log = process.stderr.read()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"newsagg-reextract exited {code}:\n{log[-3000:]}")
    with output.open(encoding="utf-8") as handle:
        records = sum(1 for _ in handle)
    return {
        "workers": workers,
        "records": records,
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(peak.main_mb, 1),  # the process that reads and publishes
        "largest_rss_mb": round(peak.largest_mb, 1),  # of it and its worker processes
    }


def measure(
    articles: int, seed: int, workers: list[int], work: Path, pairs: int = 1
) -> dict[str, Any]:
    site = GeneratedSite(seed, articles)
    directory = work / f"archive-{articles}"
    started = time.process_time()
    files, responses, pages = write_archive(site, directory)
    print(
        f"{articles} articles: archive of {responses} responses,"
        f" {sum(p.stat().st_size for p in files) / 1e6:.0f} MB,"
        f" written in {time.process_time() - started:.0f} s of CPU",
        flush=True,
    )
    runs = []
    for _ in range(pairs):
        for count in workers:
            run = reextract(files, count, work / f"out-{articles}-{count}.jsonl")
            if run["records"] != pages:
                raise SystemExit(f"{run['records']} records of {pages} article pages")
            run["pages_per_s"] = round(pages / run["wall_s"], 1)
            run["cpu_ms_per_page"] = round(1000 * run["cpu_s"] / pages, 3)
            print(
                f"  --workers {count}: {run['pages_per_s']:.0f} article pages/s,"
                f" {run['cpu_ms_per_page']:.2f} ms CPU a page,"
                f" peak RSS {run['peak_rss_mb']:.0f} MB",
                flush=True,
            )
            runs.append(run)
    measured = {"articles": articles, "responses": responses, "article_pages": pages}
    return {**measured, "runs": runs, **medians(runs, workers)}


def medians(runs: list[dict[str, Any]], workers: list[int]) -> dict[str, Any]:
    """Of runs made in rounds (each count of workers once a round, one after the other): the
    median pages/s of each count and, for [1, 2], the median of the rounds' 2-to-1 ratios. On
    a machine whose speed changes from minute to minute a ratio is only fair within a round."""
    rate = {
        str(count): statistics.median(r["pages_per_s"] for r in runs if r["workers"] == count)
        for count in workers
    }
    found: dict[str, Any] = {"median_pages_per_s": rate}
    if workers == [1, 2]:
        rounds = [runs[i : i + 2] for i in range(0, len(runs), 2)]
        ratios = [round(two["pages_per_s"] / one["pages_per_s"], 2) for one, two in rounds]
        found["ratios_2_to_1"] = ratios
        found["median_ratio_2_to_1"] = statistics.median(ratios)
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="newsagg re-extraction benchmark")
    parser.add_argument("--articles", type=int, default=10_000, help="site size (10000)")
    parser.add_argument("--seed", type=int, default=1, help="site generator seed (1)")
    parser.add_argument("--scale", type=int, default=0, help="also this size, 1 worker: RSS")
    parser.add_argument("--pairs", type=int, default=1, help="rounds of 1 and 2 workers (1)")
    args = parser.parse_args(argv)
    if not 1 <= args.pairs <= 20:
        parser.error("--pairs: from 1 to 20")
    with tempfile.TemporaryDirectory(prefix="newsagg-reextract-bench-") as name:
        work = Path(name)
        results = [measure(args.articles, args.seed, [1, 2], work, args.pairs)]
        if args.scale:
            results.append(measure(args.scale, args.seed, [1], work))
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
