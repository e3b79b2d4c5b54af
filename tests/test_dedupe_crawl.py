"""Dedupe and incremental runs through real `scrapy crawl` processes, a real HTTP server and a
real SQLite state file under tmp_path."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from tests.conftest import (
    CRAWL_ENV,
    REPO,
    CrawlResult,
    LocalSite,
    Route,
    crawl_command,
    read_jsonl,
    run_crawl,
)
from tests.newsroom import Newsroom, edit_two_sentences, new_lead, story


def stat(result: CrawlResult, name: str) -> int:
    """A numeric stat from the crawl's final stats dump (0 when absent)."""
    found = re.findall(rf"'{re.escape(name)}': (\d+)", result.log)
    return int(found[-1]) if found else 0


def article_requests(site: LocalSite) -> list[str]:
    return sorted(path for path in site.requests if re.fullmatch(r"/fr/[\w-]+/\d+", path))


def crawl(site: LocalSite, tmp_path: Path, output: str, **options: str) -> CrawlResult:
    settings = {k: v for k, v in options.items() if k.isupper()}
    arguments = {k: v for k, v in options.items() if not k.isupper()}
    site.requests.clear()
    result = run_crawl(
        tmp_path, output=output, settings=settings, start_urls=f"{site.base_url}/fr/", **arguments
    )
    assert result.returncode == 0, result.log[-3000:]
    return result


def test_syndicated_copies_point_to_the_oldest_copy_whatever_the_crawl_order(
    local_site: LocalSite, tmp_path: Path
) -> None:
    original = story(200, title="Le barrage atteint son niveau record")
    lead = story(205, title=original.title, paragraphs=new_lead(original.paragraphs, 9))
    edited = story(
        207, title="Barrage : niveau record", paragraphs=edit_two_sentences(original.paragraphs)
    )
    exact = story(203, title=original.title, paragraphs=original.paragraphs, outlet="Le Matin")
    weather = [
        story(num, seed=num * 7, title="Météo du jour", slug="mapexpress", outlet="MAP Express")
        for num in (210, 211)
    ]
    room = Newsroom(per_page=3)
    room.add(original, lead, edited, exact, *weather)
    room.serve(local_site)  # newest first: every copy is listed (and fetched) before 200

    result = crawl(local_site, tmp_path, "out.jsonl")
    base = local_site.base_url
    marks = {r["id"].rsplit(":", 1)[1]: r["duplicate_of"] for r in result.records}
    assert marks == {
        "200": None,
        "203": f"{base}/fr/lopinion/200",
        "205": f"{base}/fr/lopinion/200",
        "207": f"{base}/fr/lopinion/200",
        "210": None,
        "211": None,
    }
    assert stat(result, "newsagg/dedupe/duplicate/exact") == 1
    assert stat(result, "newsagg/dedupe/duplicate/near") == 2
    assert stat(result, "newsagg/dedupe/new") == 3
    by_num = {r["id"].rsplit(":", 1)[1]: r for r in result.records}
    assert by_num["203"]["content_hash"] == by_num["200"]["content_hash"]


def test_killed_crawl_loses_nothing_and_leaves_the_state_intact(
    local_site: LocalSite, tmp_path: Path
) -> None:
    room = Newsroom(per_page=10)
    room.add(*(story(num) for num in range(700, 705)))
    room.serve(local_site)
    crawl(local_site, tmp_path, "1.jsonl")

    room.add(*(story(num) for num in range(705, 725)))
    room.serve(local_site)
    for num in range(705, 715):  # older half of the new articles: slow to answer
        page = room.stories[num].html().encode()
        local_site.add_dynamic(f"/fr/lopinion/{num}", _slow(page))
    local_site.requests.clear()
    command, out = crawl_command(
        tmp_path, output="2.jsonl", start_urls=f"{local_site.base_url}/fr/"
    )
    process = subprocess.Popen(
        command, cwd=REPO, env=CRAWL_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while len(article_requests(local_site)) < 12 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(article_requests(local_site)) >= 12  # some fetched, not all answered
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    assert not out.exists()

    state = tmp_path / "state.sqlite3"
    with sqlite3.connect(state) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("SELECT count(*) FROM articles").fetchone() == (5,)

    room.serve(local_site)  # fast again
    third = crawl(local_site, tmp_path, "3.jsonl")
    outputs = ("1.jsonl", "2.jsonl", "3.jsonl")
    emitted = [r["id"] for name in outputs for r in read_jsonl(tmp_path / name)]
    assert sorted(emitted) == [f"maghress:lopinion:{num}" for num in range(700, 725)]
    assert sorted(r["id"] for r in third.records) == [
        f"maghress:lopinion:{num}" for num in range(705, 725)
    ]


def test_state_that_cannot_be_opened_stops_the_run_naming_it(
    local_site: LocalSite, tmp_path: Path
) -> None:
    state = tmp_path / "state.sqlite3"
    state.write_bytes(b"not a database\n" * 100)
    result = run_crawl(tmp_path, start_urls=f"{local_site.base_url}/fr/")
    assert result.returncode == 2
    assert f"newsagg: error: state {state}: cannot be opened: file is not a database" in result.log
    assert state.read_bytes() == b"not a database\n" * 100
    assert not result.output.exists()
    assert local_site.requests == []


def _slow(page: bytes) -> Callable[[], Route]:
    def handler() -> Route:
        time.sleep(2)
        return 200, {"Content-Type": "text/html; charset=utf-8"}, page

    return handler
