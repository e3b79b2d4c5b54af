"""Scaling out (NEWSAGG_BACKEND=redis): real worker processes, a real redis-server and a real
HTTP server on 127.0.0.1. Two workers publish what one process does; a killed worker, a lost
Redis and a killed publish lose and repeat nothing; politeness is the site's, not the worker's."""

from __future__ import annotations

import gzip
import itertools
import json
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import (
    REPO,
    SCRAPY,
    LocalSite,
    Route,
    crawl_command,
    crawl_env,
    read_jsonl,
    run_crawl,
)
from tests.crafted import slow, wait_for
from tests.newsroom import Newsroom, edit_two_sentences, new_lead, story
from tests.redis_server import RedisServer, free_port, redis_server  # noqa: F401

RUN = "r1"
ARTICLE_PATH = re.compile(r"/fr/[\w-]+/\d+")


def shared_settings(server: RedisServer, run: str = RUN, **more: str) -> dict[str, str]:
    return {
        "NEWSAGG_BACKEND": "redis",
        "REDIS_URL": server.url,
        "NEWSAGG_RUN_ID": run,
        "NEWSAGG_WORKER_TIMEOUT": "3",
        **more,
    }


def seed(tmp_path: Path, server: RedisServer, site: LocalSite, run: str = RUN, **more: str) -> None:
    command = [*SCRAPY, "newsagg-seed", "maghress", "--run-id", run]
    command += ["-a", f"start_urls={site.base_url}/fr/"]
    for name, value in shared_settings(server, run, **more).items():
        command += ["-s", f"{name}={value}"]
    done = subprocess.run(command, cwd=REPO, env=crawl_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{run}\n"


def start_worker(
    tmp_path: Path, server: RedisServer, name: str, run: str = RUN, **more: str
) -> subprocess.Popen[str]:
    settings = shared_settings(server, run, NEWSAGG_WORKER=name, **more)
    command = crawl_command(tmp_path, output=None, settings=settings)
    log = (tmp_path / f"{name}.log").open("a", encoding="utf-8")
    with log:
        return subprocess.Popen(
            command, cwd=REPO, env=crawl_env(), stdout=log, stderr=subprocess.STDOUT, text=True
        )


def log_of(tmp_path: Path, name: str) -> str:
    return (tmp_path / f"{name}.log").read_text(encoding="utf-8")


def parts(tmp_path: Path, run: str = RUN) -> dict[str, list[dict[str, Any]]]:
    """Every published items part of the run, by worker name."""
    found = sorted((tmp_path / "data" / "maghress").glob(f"*/{run}-*.jsonl.gz"))
    return {p.name.removeprefix(f"{run}-").removesuffix(".jsonl.gz"): read_jsonl(p) for p in found}


def comparable(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records by id, less the time each was scraped at."""
    return sorted(({**r, "scraped_at": None} for r in records), key=lambda r: r["id"])


def newsroom() -> Newsroom:
    """24 originals over 4 listing pages, and copies of 200 (exact, near, new lead) listed
    before it, so the canonical copy is one another worker may well fetch."""
    room = Newsroom(per_page=6)
    room.add(*(story(num) for num in range(101, 121)))
    original = story(200, title="Le barrage atteint son niveau record")
    room.add(
        original,
        story(203, title=original.title, paragraphs=original.paragraphs, outlet="Le Matin"),
        story(205, title=original.title, paragraphs=new_lead(original.paragraphs, 9)),
        story(
            207, title="Barrage : niveau record", paragraphs=edit_two_sentences(original.paragraphs)
        ),
    )
    return room


def slowed(site: LocalSite, seconds: float, server: RedisServer | None = None) -> None:
    """Every article page answers after `seconds`; with `server`, not before both workers
    have held requests of the run (one process starts faster than the other): both get a
    share."""
    opened = threading.Event()  # once both have held requests: a worker done early stays done
    for path, route in list(site.routes.items()):
        if ARTICLE_PATH.fullmatch(path) and not callable(route):
            site.add_dynamic(path, gated(slow(route[2].decode(), seconds), server, opened))


def gated(
    route: Callable[[], Route], server: RedisServer | None, opened: threading.Event
) -> Callable[[], Route]:
    def handler() -> Route:
        if server is not None and not opened.is_set():
            client = server.client()
            held = f"newsagg:run:maghress:{RUN}:inflight:"
            # Held at most 30 s, then answered anyway: a request dropped here would be asked
            # again, and the test would see a page fetched twice that the crawl did not lose.
            deadline = time.monotonic() + 30
            while not (client.hlen(held + "w1") and client.hlen(held + "w2")):
                if time.monotonic() > deadline:
                    break
                time.sleep(0.02)
            else:
                opened.set()
        return route()

    return handler


def test_two_workers_publish_the_records_one_process_does(
    local_site: LocalSite,
    tmp_path: Path,
    redis_server: RedisServer,  # noqa: F811
) -> None:
    room = newsroom()
    room.serve(local_site)
    # Workers keep no archive (docs/scaling.md): so the single process keeps none either.
    single = run_crawl(
        tmp_path / "single",
        output=None,
        settings={"NEWSAGG_ARCHIVE": "0"},
        start_urls=f"{local_site.base_url}/fr/",
    )
    assert single.returncode == 0, single.log
    marks = {r["id"]: r["duplicate_of"] for r in single.records}
    assert sum(mark is not None for mark in marks.values()) == 3  # the copies of 200

    slowed(local_site, 0.05, redis_server)
    local_site.requests.clear()
    shared = tmp_path / "shared"
    shared.mkdir()
    seed(shared, redis_server, local_site)
    workers = [start_worker(shared, redis_server, name) for name in ("w1", "w2")]
    codes = [worker.wait(timeout=120) for worker in workers]
    assert codes == [0, 0], log_of(shared, "w1")[-3000:] + log_of(shared, "w2")[-3000:]

    by_worker = parts(shared)
    assert sorted(by_worker) == ["w1", "w2"]
    assert all(by_worker.values()), {w: len(r) for w, r in by_worker.items()}  # both worked
    union = [record for records in by_worker.values() for record in records]
    assert len({r["id"] for r in union}) == len(union)  # no id twice
    assert comparable(union) == comparable(single.records)  # duplicates marked as in one
    assert local_site.hits("/robots.txt") == 1  # once for the run, not once per worker
    assert all(local_site.hits(path) == 1 for path in local_site.requests)

    site_dir = shared / "data" / "maghress"
    latest = json.loads((site_dir / "latest.json").read_text(encoding="utf-8"))
    assert latest["run_id"] == RUN
    assert latest["items"] == len(single.records)
    manifest = json.loads((site_dir / latest["manifest"]).read_text(encoding="utf-8"))
    files = {(f["kind"], Path(f["path"]).name, f["rows"]) for f in manifest["files"]}
    assert files == {
        ("items", "r1-w1.jsonl.gz", len(by_worker["w1"])),
        ("items", "r1-w2.jsonl.gz", len(by_worker["w2"])),
        ("rejects", "r1-w1.rejects.jsonl", 0),
        ("rejects", "r1-w2.rejects.jsonl", 0),
    }
    assert manifest["counts"]["duplicates_by_kind"] == {"exact": 1, "near": 2}
    assert [w["worker"] for w in manifest["workers"]] == ["w1", "w2"]
    assert manifest["health"]["status"] == "ok"


def test_a_second_shared_run_finds_its_copies_among_what_the_first_published(
    local_site: LocalSite,
    tmp_path: Path,
    redis_server: RedisServer,  # noqa: F811
) -> None:
    """Workers read the state as their run found it: the second run, on the state the first
    published, finds an exact and a near copy of a stored article."""
    room = Newsroom(per_page=6)
    original = story(200, title="Le barrage atteint son niveau record")
    room.add(*(story(num) for num in range(101, 104)), original)
    room.serve(local_site)
    seed(tmp_path, redis_server, local_site)
    first = start_worker(tmp_path, redis_server, "w1")
    assert first.wait(timeout=120) == 0, log_of(tmp_path, "w1")[-3000:]
    assert [r["duplicate_of"] for r in parts(tmp_path)["w1"]] == [None] * 4

    copies = (
        story(203, title=original.title, paragraphs=original.paragraphs, outlet="Le Matin"),
        story(207, title="Barrage", paragraphs=edit_two_sentences(original.paragraphs)),
    )
    room.add(*copies)
    room.serve(local_site)
    seed(tmp_path, redis_server, local_site, run="r2")
    second = start_worker(tmp_path, redis_server, "w1", run="r2")
    assert second.wait(timeout=120) == 0, log_of(tmp_path, "w1")[-3000:]
    marks = {r["id"]: r["duplicate_of"] for r in parts(tmp_path, "r2")["w1"]}
    canonical = f"{local_site.base_url}{original.path}"
    assert marks == {"maghress:lopinion:203": canonical, "maghress:lopinion:207": canonical}


def test_a_download_failure_in_a_shared_run_is_rejected_and_its_lease_ended(
    local_site: LocalSite,
    tmp_path: Path,
    redis_server: RedisServer,  # noqa: F811
) -> None:
    """A download that fails (a timeout) takes the errback's way, past the spider middlewares:
    the spider ends its lease through the scheduler. The page is in the worker's rejects part
    and the worker closes with nothing left in flight."""
    room = Newsroom(per_page=3)
    room.add(*(story(num) for num in range(101, 107)))
    room.serve(local_site)
    late = room.stories[104]
    local_site.add_dynamic(late.path, slow(late.html(), 3))
    seed(tmp_path, redis_server, local_site)
    settings = {"DOWNLOAD_TIMEOUT": "1", "RETRY_ENABLED": "False"}
    worker = start_worker(tmp_path, redis_server, "w1", **settings)
    assert worker.wait(timeout=120) == 0, log_of(tmp_path, "w1")[-3000:]
    ids = sorted(r["id"] for r in parts(tmp_path)["w1"])
    assert ids == [f"maghress:lopinion:{num}" for num in (101, 102, 103, 105, 106)]
    rejects = read_jsonl(next((tmp_path / "data").glob(f"maghress/*/{RUN}-w1.rejects.jsonl")))
    assert [(r["url"], r["reason"]) for r in rejects] == [
        (f"{local_site.base_url}{late.path}", "fetch_error")
    ]
    assert "queued again" not in log_of(tmp_path, "w1")  # no lease left at the worker's close


def test_a_killed_worker_restarted_loses_and_repeats_nothing(
    local_site: LocalSite,
    tmp_path: Path,
    redis_server: RedisServer,  # noqa: F811
) -> None:
    room = newsroom()
    room.serve(local_site)
    slowed(local_site, 0.15)
    expected = sorted(f"maghress:{s.slug}:{s.num}" for s in room.stories.values())
    seed(tmp_path, redis_server, local_site)
    first = start_worker(tmp_path, redis_server, "w1")
    second = start_worker(tmp_path, redis_server, "w2")
    client = redis_server.client()
    wait_for(lambda: client.hlen(f"newsagg:run:maghress:{RUN}:inflight:w2") >= 2, 60)
    second.send_signal(signal.SIGKILL)  # while it holds requests
    assert second.wait(timeout=30) == -signal.SIGKILL
    again = start_worker(tmp_path, redis_server, "w2")
    codes = [first.wait(timeout=120), again.wait(timeout=120)]
    assert codes == [0, 0], log_of(tmp_path, "w1")[-3000:] + log_of(tmp_path, "w2")[-3000:]
    ids = [r["id"] for records in parts(tmp_path).values() for r in records]
    assert sorted(ids) == expected  # every article, each once
    worker_logs = log_of(tmp_path, "w1") + log_of(tmp_path, "w2")
    assert re.search(
        r"worker w[12]: \d+ requests (an earlier process of this name had taken|taken by"
        r" workers whose heartbeat stopped) are queued again",
        worker_logs,
    ), worker_logs[-3000:]


def timed(site: LocalSite, times: list[float]) -> None:
    """Every route of `site` notes when it was asked (robots.txt too)."""

    def noting(route: Route | Callable[[], Route]) -> Callable[[], Route]:
        def handler() -> Route:
            times.append(time.monotonic())
            return route() if callable(route) else route

        return handler

    site.add("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    for path, route in list(site.routes.items()):
        site.add_dynamic(path, noting(route))


def test_the_host_sees_the_configured_rate_across_both_workers_not_twice_it(
    local_site: LocalSite,
    tmp_path: Path,
    redis_server: RedisServer,  # noqa: F811
) -> None:
    delay = 0.2
    room = Newsroom(per_page=10)
    room.add(*(story(num) for num in range(101, 131)))  # 30 articles, 3 listing pages
    room.serve(local_site)
    times: list[float] = []
    timed(local_site, times)
    polite = {"DOWNLOAD_DELAY": str(delay), "CONCURRENT_REQUESTS_PER_DOMAIN": "4"}
    seed(tmp_path, redis_server, local_site, **polite)
    workers = [start_worker(tmp_path, redis_server, name, **polite) for name in ("w1", "w2")]
    codes = [worker.wait(timeout=120) for worker in workers]
    assert codes == [0, 0], log_of(tmp_path, "w1")[-3000:]
    assert len(times) == 34  # robots.txt, 3 listing pages, 30 articles
    gaps = sorted(b - a for a, b in itertools.pairwise(times))
    rate = (len(times) - 1) / (times[-1] - times[0])
    # The budget is 5 requests a second for the site. Each worker alone would keep to that too,
    # so two without a shared budget would reach 10: the bound leaves room for timing noise
    # only, and the shortest gaps are the budget's, minus the event loops' jitter.
    assert rate <= 1.15 / delay, (rate, gaps[:5])
    assert gaps[len(gaps) // 10] >= 0.8 * delay, gaps[:10]
    manifest = json.loads(next((tmp_path / "data").glob("maghress/*/r1.manifest.json")).read_text())
    pages = {w["worker"]: w["pages"] for w in manifest["workers"]}
    assert min(pages.values()) >= 8, pages  # both workers shared the work


def test_redis_unreachable_at_start_exits_2_with_one_line(tmp_path: Path) -> None:
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    line = (
        f"newsagg: error: REDIS_URL {url}: cannot connect (Error 111 connecting to"
        f" 127.0.0.1:{port}. Connection refused.)\n"
    )
    settings = {"NEWSAGG_BACKEND": "redis", "REDIS_URL": url, "NEWSAGG_RUN_ID": RUN}
    command = crawl_command(tmp_path, output=None, settings=settings)
    crawl = subprocess.run(command, cwd=REPO, env=crawl_env(), capture_output=True, text=True)
    assert (crawl.returncode, crawl.stderr, crawl.stdout) == (2, line, "")
    seed_command = [*SCRAPY, "newsagg-seed", "maghress", "-s", f"REDIS_URL={url}"]
    seeded = subprocess.run(seed_command, cwd=REPO, env=crawl_env(), capture_output=True, text=True)
    assert (seeded.returncode, seeded.stderr, seeded.stdout) == (2, line, "")
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize(
    ("settings", "line"),
    [
        ({"NEWSAGG_RUN_ID": ""}, "NEWSAGG_RUN_ID: required with NEWSAGG_BACKEND=redis"),
        (
            {"NEWSAGG_RUN_ID": "nosuchrun"},
            "NEWSAGG_RUN_ID: run nosuchrun of maghress was not seeded",
        ),
        ({"JOBDIR": "job"}, "JOBDIR: the run's queue is in Redis already; drop JOBDIR"),
        ({"CONCURRENT_ITEMS": "4"}, "CONCURRENT_ITEMS: must be 1 with NEWSAGG_BACKEND=redis"),
    ],
)
def test_what_a_shared_run_cannot_do_is_refused_in_one_line(
    local_site: LocalSite,
    tmp_path: Path,
    redis_server: RedisServer,  # noqa: F811
    settings: dict[str, str],
    line: str,
) -> None:
    seed(tmp_path, redis_server, local_site)
    command = crawl_command(
        tmp_path, output=None, settings={**shared_settings(redis_server), **settings}
    )
    crawl = subprocess.run(command, cwd=REPO, env=crawl_env(), capture_output=True, text=True)
    assert crawl.returncode == 2
    assert crawl.stderr.startswith(f"newsagg: error: {line}"), crawl.stderr
    assert crawl.stderr.count("\n") == 1
    assert local_site.requests == []


def test_redis_stopped_mid_run_stops_the_workers_and_nothing_is_published_twice(
    local_site: LocalSite,
    tmp_path: Path,
    redis_server: RedisServer,  # noqa: F811
) -> None:
    room = newsroom()
    room.serve(local_site)
    slowed(local_site, 0.15)
    expected = sorted(f"maghress:{s.slug}:{s.num}" for s in room.stories.values())
    seed(tmp_path, redis_server, local_site)
    workers = [start_worker(tmp_path, redis_server, name) for name in ("w1", "w2")]
    wait_for(lambda: sum(bool(ARTICLE_PATH.fullmatch(p)) for p in local_site.requests) >= 6, 60)
    redis_server.stop()  # SIGTERM: it writes its append-only file and exits
    codes = [worker.wait(timeout=60) for worker in workers]
    assert codes == [5, 5], log_of(tmp_path, "w1")[-3000:]
    for name in ("w1", "w2"):
        assert f"stopped before the verdict of run {RUN}" in log_of(tmp_path, name)
        assert f"{redis_server.url}: connection lost" in log_of(tmp_path, name)
    assert parts(tmp_path) == {}  # nothing published
    assert not list((tmp_path / "data").glob("**/*.partial"))

    redis_server.start()  # the same server again, with what it had written
    workers = [start_worker(tmp_path, redis_server, name) for name in ("w1", "w2")]
    codes = [worker.wait(timeout=120) for worker in workers]
    assert codes == [0, 0], log_of(tmp_path, "w1")[-3000:]
    ids = [r["id"] for records in parts(tmp_path).values() for r in records]
    assert sorted(ids) == expected  # every article once


@pytest.mark.parametrize("point", ["after_pending", "after_rename", "after_commit"])
def test_a_killed_publish_is_finished_once_by_newsagg_publish(
    local_site: LocalSite,
    tmp_path: Path,
    redis_server: RedisServer,  # noqa: F811
    point: str,
) -> None:
    room = newsroom()
    room.serve(local_site)
    expected = sorted(f"maghress:{s.slug}:{s.num}" for s in room.stories.values())
    seed(tmp_path, redis_server, local_site)
    worker = start_worker(tmp_path, redis_server, "w1", NEWSAGG_CRASH_AT=point)
    assert worker.wait(timeout=120) == -signal.SIGKILL, log_of(tmp_path, "w1")[-3000:]

    command = [*SCRAPY, "newsagg-publish", RUN]
    for name, value in shared_settings(
        redis_server, NEWSAGG_DATA_DIR=str(tmp_path / "data")
    ).items():
        command += ["-s", f"{name}={value}"]
    done = subprocess.run(command, cwd=REPO, env=crawl_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    ids = [r["id"] for records in parts(tmp_path).values() for r in records]
    assert sorted(ids) == expected
    again = subprocess.run(command, cwd=REPO, env=crawl_env(), capture_output=True, text=True)
    assert (again.returncode, again.stderr) == (
        0,
        f"newsagg: maghress: run {RUN} is published already\n",
    )
    site_dir = tmp_path / "data" / "maghress"
    assert json.loads((site_dir / "latest.json").read_text())["run_id"] == RUN
    with gzip.open(next(site_dir.glob(f"*/{RUN}-w1.jsonl.gz")), "rt") as part:
        assert len(part.readlines()) == len(expected)
