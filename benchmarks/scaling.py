"""Scaling-out benchmark (NEWSAGG_BACKEND=redis): numbers printed, never asserted.

    python -m benchmarks.scaling                # 4,000 articles
    python -m benchmarks.scaling --articles 2000
    python -m benchmarks.scaling --pairs 3      # (s) and (r1) three times, alternated

On the generated site (`benchmarks.sitegen`, prerendered, served from a process of its own)
and a redis-server of its own (Debian's, on a free port, append-only file on), it runs:

  (s) one process on SQLite, the dataset layout's gzip JSON Lines, delays off;
  (r1) the same crawl as one worker of a shared run on Redis;
  (r2) the same crawl as two workers of one shared run;
  (p) two workers again with DOWNLOAD_DELAY on, to see the rate the site gets.

With `--pairs N`, (s) and (r1) run N times, one after the other, and the Redis backend's cost
is the median of the N pairs': on a shared machine whose speed changes from minute to minute,
one pair says little.

Pages/s are the site's: responses over the time from its first request to its last, as its
server saw them (so process start-up is not counted; the publish step after the last request
is shown apart). CPU is user + system time of every process involved: the crawlers', Redis's
and the site server's, each shown."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from benchmarks.run import BENCH_SETTINGS, REPO, git_revision, machine

RUN = "bench"
DELAY = 0.02  # (p): 50 requests a second for the site


@dataclass
class Measured:
    name: str
    workers: int
    responses: int
    span_s: float  # the site's first request to its last
    wall_s: float  # the first worker's start to the last worker's exit (publish included)
    crawler_cpu_s: float
    redis_cpu_s: float
    server_cpu_s: float
    requests_seen: int  # by the site's server

    @property
    def pages_per_s(self) -> float:
        return self.responses / self.span_s if self.span_s else 0.0

    def row(self) -> dict[str, Any]:
        return {
            "workers": self.workers,
            "responses": self.responses,
            "span_s": round(self.span_s, 2),
            "wall_s": round(self.wall_s, 2),
            "pages_per_s": round(self.pages_per_s, 1),
            "crawler_cpu_ms_per_page": round(1000 * self.crawler_cpu_s / self.responses, 3),
            "redis_cpu_ms_per_page": round(1000 * self.redis_cpu_s / self.responses, 3),
            "server_cpu_ms_per_page": round(1000 * self.server_cpu_s / self.responses, 3),
            "server_cpu_share": round(self.server_cpu_s / self.span_s, 2) if self.span_s else None,
        }


@contextmanager
def site(articles: int, times: Path) -> Iterator[tuple[str, psutil.Process]]:
    command = [sys.executable, "-m", "benchmarks.server", "--articles", str(articles)]
    command += ["--port", "0", "--prerender", "--times", str(times)]
    with subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            match = re.search(r"at (http://\S+?)/?$", process.stdout.readline().strip())
            if match is None:
                raise RuntimeError("benchmarks.server did not say where it serves")
            yield match.group(1), psutil.Process(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)


@contextmanager
def redis_server(directory: Path) -> Iterator[tuple[str, psutil.Process]]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed (apt-get install redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    directory.mkdir(parents=True, exist_ok=True)
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    command += ["--appendonly", "yes", "--appendfsync", "everysec", "--dir", str(directory)]
    with subprocess.Popen(command, stdout=subprocess.DEVNULL) as process:
        try:
            time.sleep(0.5)
            yield f"redis://127.0.0.1:{port}/0", psutil.Process(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)


def cpu(process: psutil.Process) -> float:
    return sum(process.cpu_times()[:2])


def crawl_command(result: Path, base_url: str, settings: dict[str, str]) -> list[str]:
    starts = ",".join(f"{base_url}{path}" for path in ("/", "/fr/", "/es/"))
    command = [sys.executable, "-m", "benchmarks.crawl", str(result), "aggregator"]
    command += ["-a", "site=maghress", "-a", f"start_urls={starts}"]
    for key, value in {**BENCH_SETTINGS, **settings}.items():
        command += ["-s", f"{key}={value}"]
    return command


def measure(
    name: str,
    workdir: Path,
    articles: int,
    workers: int,
    settings: dict[str, str],
    redis_url: str | None,
    redis_process: psutil.Process | None,
) -> Measured:
    times = workdir / f"{name}.times"
    data = workdir / f"{name}-data"
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newsagg.settings"}
    with site(articles, times) as (base_url, server):
        common = {"NEWSAGG_DATA_DIR": str(data), "LOG_LEVEL": "WARNING", **settings}
        if redis_url is not None:
            run_id = f"{name}-{RUN}"
            common |= {"NEWSAGG_BACKEND": "redis", "REDIS_URL": redis_url, "NEWSAGG_RUN_ID": run_id}
            starts = ",".join(f"{base_url}{path}" for path in ("/", "/fr/", "/es/"))
            seed = [sys.executable, "-m", "scrapy", "newsagg-seed", "maghress", "--run-id", run_id]
            seed += ["-a", f"start_urls={starts}"]
            for key, value in {**BENCH_SETTINGS, **common}.items():
                seed += ["-s", f"{key}={value}"]
            subprocess.run(seed, cwd=REPO, env=env, check=True, capture_output=True)
        else:
            common["NEWSAGG_STATE"] = str(workdir / f"{name}.sqlite3")
            common["FEEDS"] = json.dumps(
                {str(data / "out.jsonl.gz"): {"format": "jsonl", "postprocessing": [
                    "scrapy.extensions.postprocessing.GzipPlugin"], "gzip_compresslevel": 6}}
            )  # fmt: skip
        server_before = cpu(server)
        redis_before = cpu(redis_process) if redis_process is not None else 0.0
        started = time.perf_counter()
        processes = []
        for worker in range(workers):
            result = workdir / f"{name}-{worker}.json"
            extra = {"NEWSAGG_WORKER": f"w{worker + 1}"} if redis_url is not None else {}
            extra["LOG_FILE"] = str(workdir / f"{name}-{worker}.log")
            command = crawl_command(result, base_url, {**common, **extra})
            if os.environ.get("NEWSAGG_BENCH_PROFILE") and worker == 0:  # where the time goes
                profile = ["-m", "cProfile", "-o", str(workdir / f"{name}.prof")]
                command = [command[0], *profile, *command[1:]]
            processes.append((subprocess.Popen(command, cwd=REPO, env=env), result))
        crawler_cpu, responses = 0.0, 0
        for process, result in processes:
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            crawler_cpu += usage.ru_utime + usage.ru_stime
            if process.returncode != 0 or not result.is_file():
                raise SystemExit(f"{name}: a crawl failed (exit {process.returncode})")
            if redis_url is None:
                stats = json.loads(result.read_text())["stats"]
                responses += int(stats.get("response_received_count", 0))
        wall = time.perf_counter() - started
        server_cpu = cpu(server) - server_before
        redis_cpu = (cpu(redis_process) - redis_before) if redis_process is not None else 0.0
    if redis_url is not None:  # the publisher's stats are the run's: its manifest says them
        manifest = next(data.glob("maghress/*/*.manifest.json"))
        responses = json.loads(manifest.read_text())["counts"]["pages"]
    seen = [float(line) for line in times.read_text().split()]
    return Measured(
        name,
        workers,
        responses,
        max(seen) - min(seen),
        wall,
        crawler_cpu,
        redis_cpu,
        server_cpu,
        len(seen),
    )


def redis_overhead_pct(single: Measured, worker: Measured) -> float:
    """The CPU a page of one Redis worker (and Redis's), against one process on SQLite."""
    single_cpu = single.crawler_cpu_s / single.responses
    worker_cpu = (worker.crawler_cpu_s + worker.redis_cpu_s) / worker.responses
    return 100 * (worker_cpu / single_cpu - 1)


def host_rate(workdir: Path, name: str) -> dict[str, float]:
    """The site's requests per second in (p), over the whole crawl and its busiest second."""
    seen = sorted(float(line) for line in (workdir / f"{name}.times").read_text().split())
    span = seen[-1] - seen[0]
    busiest = max(
        sum(1 for moment in seen[i:] if moment < start + 1.0) for i, start in enumerate(seen)
    )
    return {
        "budget_per_s": round(1 / DELAY, 1),
        "measured_per_s": round((len(seen) - 1) / span, 2),
        "busiest_second": busiest,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="newsagg scaling-out benchmark")
    parser.add_argument("--articles", type=int, default=4_000)
    parser.add_argument("--pairs", type=int, default=1, help="(s), (r1) pairs, alternated")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args(argv)
    if not 1 <= args.pairs <= 12:
        parser.error("--pairs: from 1 to 12 (one Redis database each)")
    workdir = Path(tempfile.mkdtemp(prefix="newsagg-scaling-"))
    results: dict[str, Measured] = {}
    overheads = []
    with redis_server(workdir / "redis") as (url, redis_process):
        # Each crawl on a state of its own (a database of its own): every one is a first run.
        base = url.rsplit("/", 1)[0]
        for pair in range(args.pairs):
            name = "" if pair == 0 else f"-{pair + 1}"
            results[f"s{name}"] = measure(f"s{name}", workdir, args.articles, 1, {}, None, None)
            print(f"(s{name}) done", results[f"s{name}"].row(), flush=True)
            database = 1 if pair == 0 else 3 + pair
            one = measure(
                f"r1{name}", workdir, args.articles, 1, {}, f"{base}/{database}", redis_process
            )
            results[f"r1{name}"] = one
            print(f"(r1{name}) done", one.row(), flush=True)
            overheads.append(redis_overhead_pct(results[f"s{name}"], one))
        results["r2"] = measure("r2", workdir, args.articles, 2, {}, f"{base}/2", redis_process)
        print("(r2) done", results["r2"].row(), flush=True)
        polite = {"DOWNLOAD_DELAY": str(DELAY), "CONCURRENT_REQUESTS_PER_DOMAIN": "4"}
        size = min(args.articles, 1_000)
        results["p"] = measure("p", workdir, size, 2, polite, f"{base}/3", redis_process)
        print("(p) done", results["p"].row(), flush=True)
    s, r1, r2 = results["s"], results["r1"], results["r2"]
    summary = {
        "revision": git_revision(),
        "machine": machine(),
        "articles": args.articles,
        "runs": {name: m.row() for name, m in results.items()},
        "speedup_2_over_1_workers": round(r2.pages_per_s / r1.pages_per_s, 2),
        "redis_cpu_overhead_pct": round(statistics.median(overheads), 1),
        "redis_cpu_overhead_pct_by_pair": [round(o, 1) for o in overheads],
        "redis_pages_per_s_overhead_pct": round(100 * (s.pages_per_s / r1.pages_per_s - 1), 1),
        "host_rate": host_rate(workdir, "p"),
    }
    print(json.dumps(summary, indent=1))
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"kept {workdir}")


if __name__ == "__main__":
    main()
