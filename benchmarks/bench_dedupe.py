"""Dedupe and incremental runs, measured on a generated local site (a benchmark, not a test).

    .venv/bin/python -m benchmarks.bench_dedupe                     # 5,000 + 20,000 articles
    .venv/bin/python -m benchmarks.bench_dedupe --articles 600 --state-articles 0   # quick look

Every crawl is a real `scrapy crawl aggregator` subprocess against `benchmarks.server` on
127.0.0.1, with its own SQLite state file. Printed, with the goal of each:

1. requests of a second run with no change, as a share of the first run's (goal <= 3 %);
   then a third run after new articles appear;
2. near-duplicate cost per article: MinHash + band keys (goal < 1 ms), and all of the dedupe
   work per article (state lookups included);
3. near-duplicate marks against the generator's ground truth (every k-th article is a
   syndicated copy with a new lead sentence or one edited phrase);
4. state lookups per second, on the first site's state and on the 20,000-article state;
5. peak RSS (VmHWM, polled every 50 ms) of crawling the same newest articles with an empty state and
   with the 20,000-article state (goal: the state adds < 100 MB), and the state file's size.

The numbers also go to benchmarks/results/dedupe.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.server import serve
from benchmarks.sitegen import GeneratedSite
from benchmarks.urls import ID_OFFSET, parse_path
from newsagg.dedupe.fingerprint import MinHasher
from newsagg.dedupe.resolve import Deduplicator
from newsagg.items import Article
from newsagg.pipelines.clean import content_hash
from newsagg.state.sqlite import SqliteStateStore

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results" / "dedupe.json"
CRAWL_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "32",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "32",
    "LOG_LEVEL": "INFO",
}
STAT = re.compile(r"'([\w/.-]+)': (\d+(?:\.\d+)?)[,}]")


class CountingSite:
    """A GeneratedSite behind a counter of requested paths; the site can be swapped (grown)
    between runs while the server, and so the URLs, stay the same."""

    def __init__(self, site: GeneratedSite) -> None:
        self.site = site
        self.paths: list[str] = []
        self.lock = threading.Lock()

    def page(self, path: str) -> tuple[int, dict[str, str], bytes]:
        with self.lock:
            self.paths.append(path)
        return self.site.page(path)

    def take(self) -> list[str]:
        with self.lock:
            paths, self.paths = self.paths, []
        return paths


@dataclass
class Crawl:
    name: str
    seconds: float
    max_rss_mb: float
    requests: int
    article_requests: int
    records: list[dict[str, Any]]
    stats: dict[str, float] = field(default_factory=dict)

    def stat(self, key: str) -> int:
        return int(self.stats.get(key, 0))


def crawl(
    name: str,
    counted: CountingSite,
    base: str,
    state: Path,
    work: Path,
    *arguments: str,
) -> Crawl:
    """One real crawl of every language listing, and its peak RSS."""
    out = work / f"{name}.jsonl"
    starts = ",".join(base + path for path in counted.site.listing_paths())
    command = [sys.executable, "-m", "scrapy", "crawl", "aggregator", "-O", str(out)]
    command += ["-a", "site=maghress", "-a", f"start_urls={starts}"]
    for argument in arguments:
        command += ["-a", argument]
    for key, value in {**CRAWL_SETTINGS, "NEWSAGG_STATE": str(state)}.items():
        command += ["-s", f"{key}={value}"]
    log_path = work / f"{name}.log"
    counted.take()
    started = time.perf_counter()
    peak_kb = 0
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, stderr=log
        )
        while process.poll() is None:
            peak_kb = max(peak_kb, high_water_kb(process.pid))
            time.sleep(0.05)
    seconds = time.perf_counter() - started
    paths = counted.take()
    log_text = log_path.read_text()
    if process.returncode != 0:
        raise SystemExit(f"{name}: crawl failed ({process.returncode}); see {log_path}")
    dump = log_text[log_text.rfind("Dumping Scrapy stats") :]
    stats = {key: float(value) for key, value in STAT.findall(dump)}
    languages = counted.site.languages
    records = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    return Crawl(
        name=name,
        seconds=seconds,
        max_rss_mb=peak_kb / 1024,
        requests=len(paths),
        article_requests=sum(1 for p in paths if parse_path(p, languages).kind == "article"),
        records=records,
        stats=stats,
    )


def high_water_kb(pid: int) -> int:
    """Peak resident memory of a running process since its exec (VmHWM), 0 once it is gone.

    Not wait4()'s ru_maxrss: that also counts the benchmark's own pages the child shared
    between fork and exec, which grow with what the benchmark holds (60 MB in one trial)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) if found else 0


def marks_against_truth(site: GeneratedSite, records: list[dict[str, Any]]) -> dict[str, int]:
    """How the written records' duplicate_of compare with the generator's copies."""
    counts = {"copies": 0, "marked_right": 0, "marked_wrong": 0, "missed": 0, "false_marks": 0}
    missed_words: list[int] = []
    for record in records:
        article_id = int(record["id"].rsplit(":", 1)[1]) - ID_OFFSET
        source = site.duplicate_source(article_id)
        got = record["duplicate_of"]
        if source is None:
            counts["false_marks"] += got is not None
            continue
        counts["copies"] += 1
        if got is None:
            counts["missed"] += 1
            missed_words.append(len(record["body"].split()))
        elif got.endswith(site.article_path(source)):
            counts["marked_right"] += 1
        else:
            counts["marked_wrong"] += 1
    counts["missed_median_words"] = int(statistics.median(missed_words)) if missed_words else 0
    return counts


def article_of(record: dict[str, Any]) -> Article:
    fields = {name: record[name] for name in Article.__dataclass_fields__}
    fields["duplicate_of"], fields["updated"] = None, False
    return Article(**fields)


def timings(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "mean_ms": round(statistics.mean(values) * 1000, 4),
        "p50_ms": round(ordered[len(ordered) // 2] * 1000, 4),
        "p95_ms": round(ordered[int(len(ordered) * 0.95)] * 1000, 4),
    }


def near_dup_cost(records: list[dict[str, Any]], state: Path, work: Path) -> dict[str, Any]:
    """MinHash + band keys alone; then Deduplicator.add, in a copy of the run's state, for
    each article with one word added under a new id: a new text (no exact match) that is a
    near-copy of a stored article, the most work dedupe does for one article."""
    hasher = MinHasher.create(0.8, 128)
    signature_times = []
    for record in records:
        started = time.perf_counter()
        signature = hasher.signature(record["body"])
        if signature is not None:
            hasher.band_keys("maghress", signature)
        signature_times.append(time.perf_counter() - started)
    copy = work / "cost.sqlite3"
    shutil.copyfile(state, copy)
    store = SqliteStateStore.open(str(copy))
    dedupe = Deduplicator(store, hasher, "maghress")
    add_times = []
    for record in records:
        item = article_of(record)
        item.id += "0"
        item.body = f"{item.body} fin"
        item.content_hash = content_hash(item.body)
        started = time.perf_counter()
        dedupe.add(item)
        add_times.append(time.perf_counter() - started)
    found = sum(entry.stored_near is not None for entry in dedupe.entries.arrived())
    started = time.perf_counter()
    dedupe.resolve()
    resolve_seconds = time.perf_counter() - started
    store.close()
    return {
        "articles": len(records),
        "words_mean": round(statistics.mean(len(r["body"].split()) for r in records)),
        "minhash_and_band_keys": timings(signature_times),
        "dedupe_add_near_copy": timings(add_times),
        "near_copies_found_in_state": found,
        "resolve_all_ms": round(resolve_seconds * 1000, 1),
    }


def lookup_rates(state: Path, records: list[dict[str, Any]], seconds: float = 1.0) -> dict:
    """Operations per second on a state file, with ids that are known and ids that are not."""
    store = SqliteStateStore.open(str(state))
    site = "maghress"
    ids = [r["id"] for r in records] or ["maghress:x:1"]
    hashes = [r["content_hash"] for r in records] or ["0" * 64]
    hasher = MinHasher.create(0.8, 128)
    keys = []
    for record in records[:200]:
        signature = hasher.signature(record["body"])
        keys.append(hasher.band_keys(site, signature) if signature is not None else ())
    pages = []  # listing pages of 40 links: half known, half not
    for start in range(0, 4000, 40):
        links = {}
        for j in range(40):
            record = records[(start + j) % len(records)] if records else {"url": "u", "id": "i"}
            suffix = "" if j % 2 else "0"
            links[record["url"] + suffix] = record["id"] + suffix
        pages.append(links)

    def rate(operation: Any, inputs: list[Any]) -> float:
        count, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            operation(inputs[count % len(inputs)])
            count += 1
        return count / (time.perf_counter() - started)

    result = {
        "articles_in_state": store.count(),
        "known_listing_pages_per_s (40 links)": round(rate(lambda p: store.known(site, p), pages)),
        "article_by_id_per_s": round(rate(lambda i: store.article(site, i), ids)),
        "hash_lookups_per_s": round(rate(lambda h: store.with_hash(site, h, "x"), hashes)),
        "near_candidate_queries_per_s (14 keys)": round(
            rate(lambda k: store.near_candidates(site, k, "x"), keys or [()])
        ),
    }
    result["known_links_per_s"] = result["known_listing_pages_per_s (40 links)"] * 40
    store.close()
    return result


def report(title: str, values: dict[str, Any]) -> None:
    print(f"\n== {title}")
    for key, value in values.items():
        print(f"  {key}: {value}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5_000, help="first site's size")
    parser.add_argument("--new", type=int, default=60, help="articles added before run 3")
    parser.add_argument("--state-articles", type=int, default=20_000, help="0 = skip the RSS part")
    parser.add_argument("--near-duplicate-every", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=None, help="kept; default: a temp dir")
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-dedupe-"))
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"articles": args.articles, "seed": args.seed}

    site = GeneratedSite(args.seed, args.articles, near_duplicate_every=args.near_duplicate_every)
    counted = CountingSite(site)
    state = work / "state.sqlite3"
    with serve(counted) as base:  # type: ignore[arg-type]  # duck-typed: it has .page()
        first = crawl("run1", counted, base, state, work)
        second = crawl("run2", counted, base, state, work)
        counted.site = GeneratedSite(
            args.seed, args.articles + args.new, near_duplicate_every=args.near_duplicate_every
        )
        third = crawl("run3", counted, base, state, work)
    share = second.requests / first.requests
    results["runs"] = {
        run.name: {
            "requests": run.requests,
            "article_requests": run.article_requests,
            "written": len(run.records),
            "seconds": round(run.seconds, 1),
            "max_rss_mb": round(run.max_rss_mb, 1),
            "skipped_known": run.stat("newsagg/skipped/known"),
            "listings_stopped_known": run.stat("newsagg/listings/stopped_known"),
        }
        for run in (first, second, third)
    }
    results["second_run_request_share_pct"] = round(share * 100, 3)
    report(f"incremental runs on {args.articles} articles", results["runs"])
    print(f"  second run requests / first run requests = {share:.2%} (goal <= 3 %)")

    truth = marks_against_truth(counted.site, first.records + third.records)
    results["near_duplicates_vs_truth"] = truth
    report("near-duplicate marks vs the generator's copies (runs 1 and 3)", truth)

    results["near_dup_cost"] = near_dup_cost(first.records, state, work)
    report("near-duplicate cost per article (goal < 1 ms)", results["near_dup_cost"])

    results["lookups"] = {"first_site_state": lookup_rates(state, first.records)}
    report(f"state lookups ({state.stat().st_size / 1e6:.1f} MB file)", results["lookups"])

    if args.state_articles:
        results["state_memory"] = state_memory(args, work)
        report(f"memory with a {args.state_articles}-article state", results["state_memory"])

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nresults: {RESULTS}; crawl logs and outputs: {work}")


def state_memory(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Build a state by crawling a site of `state_articles`; then crawl its newest `grow`
    articles twice: once with that state, once with an empty state (max_pages keeps the fresh
    run to the same pages). The difference in peak RSS is what the state costs."""
    seed, n, k = args.seed + 1, args.state_articles, args.near_duplicate_every
    grow = 240  # 2 listing pages of 40 in each of the 3 languages
    state = work / "big.sqlite3"
    counted = CountingSite(GeneratedSite(seed, n, near_duplicate_every=k))
    with serve(counted) as base:  # type: ignore[arg-type]
        build = crawl("big1", counted, base, state, work)
        nochange = crawl("big2", counted, base, state, work)
        counted.site = GeneratedSite(seed, n + grow, near_duplicate_every=k)
        with_state = crawl("big3_with_state", counted, base, state, work)
        fresh = crawl(
            "big3_fresh_state", counted, base, work / "fresh.sqlite3", work, "max_pages=2"
        )
    records = build.records
    rates = lookup_rates(state, records)
    return {
        "build_run": {
            "written": len(build.records),
            "seconds": round(build.seconds, 1),
            "max_rss_mb": round(build.max_rss_mb, 1),
            "requests": build.requests,
        },
        "no_change_run": {
            "requests": nochange.requests,
            "request_share_pct": round(nochange.requests / build.requests * 100, 3),
            "max_rss_mb": round(nochange.max_rss_mb, 1),
            "seconds": round(nochange.seconds, 1),
        },
        f"{grow}_new_with_state": {
            "written": len(with_state.records),
            "article_requests": with_state.article_requests,
            "max_rss_mb": round(with_state.max_rss_mb, 1),
        },
        f"{grow}_new_fresh_state": {
            "written": len(fresh.records),
            "article_requests": fresh.article_requests,
            "max_rss_mb": round(fresh.max_rss_mb, 1),
        },
        "rss_added_by_state_mb (goal < 100)": round(with_state.max_rss_mb - fresh.max_rss_mb, 1),
        "state_file_mb": round(state.stat().st_size / 1e6, 1),
        "state_bytes_per_article": round(state.stat().st_size / max(1, rates["articles_in_state"])),
        "lookups": rates,
    }


if __name__ == "__main__":
    main()
