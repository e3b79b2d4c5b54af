"""Dedupe and incremental runs through real `scrapy crawl` processes, a real HTTP server and a
real SQLite state file under tmp_path."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from newsagg.pipelines.clean import content_hash
from tests.conftest import (
    REPO,
    CrawlResult,
    LocalSite,
    Route,
    crawl_command,
    crawl_env,
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


def crawl(
    site: LocalSite, tmp_path: Path, output: str, exit_code: int = 0, **options: str
) -> CrawlResult:
    settings = {k: v for k, v in options.items() if k.isupper()}
    arguments = {k: v for k, v in options.items() if not k.isupper()}
    site.requests.clear()
    result = run_crawl(
        tmp_path, output=output, settings=settings, start_urls=f"{site.base_url}/fr/", **arguments
    )
    assert result.returncode == exit_code, result.log[-3000:]
    return result


def test_second_run_requests_first_listing_page_only_and_third_gets_new_articles(
    local_site: LocalSite, tmp_path: Path
) -> None:
    room = Newsroom()
    room.add(*(story(num) for num in range(101, 113)))  # 12 articles, 2 listing pages
    room.serve(local_site)

    first = crawl(local_site, tmp_path, "1.jsonl")
    assert sorted(r["id"] for r in first.records) == [
        f"maghress:lopinion:{num}" for num in range(101, 113)
    ]
    assert all(r["duplicate_of"] is None and r["updated"] is False for r in first.records)
    assert stat(first, "newsagg/dedupe/new") == 12
    assert stat(first, "newsagg/state/recorded") == 12

    second = crawl(local_site, tmp_path, "2.jsonl")
    assert second.records == []
    assert second.output.exists()  # an empty file, in place
    assert local_site.requests == ["/robots.txt", "/fr/"]
    assert stat(second, "newsagg/skipped/known") == 6
    assert stat(second, "newsagg/listings/stopped_known") == 1
    assert (
        "maghress: dedupe: 0 new, 0 updated, 0 unchanged; copies: 0 exact, 0 near, 0 of them"
        " dropped; 6 known articles not requested, 1 listings stopped on known pages"
    ) in second.log

    room.add(*(story(num) for num in (113, 114, 115)))
    room.serve(local_site)
    third = crawl(local_site, tmp_path, "3.jsonl")
    assert sorted(r["id"] for r in third.records) == [
        "maghress:lopinion:113",
        "maghress:lopinion:114",
        "maghress:lopinion:115",
    ]
    # Page 1 had 3 new links; page 2 was all known, so page 3 was never asked for.
    assert sorted(local_site.requests) == sorted(
        ["/robots.txt", "/fr/", "/fr/?page=2", *(f"/fr/lopinion/{n}" for n in (113, 114, 115))]
    )
    assert stat(third, "newsagg/listings/stopped_known") == 1


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
    assert "maghress: run finished (finished): 6 articles written," in result.log
    assert (
        "maghress: dedupe: 3 new, 0 updated, 0 unchanged; copies: 1 exact, 2 near, 0 of them"
        " dropped; 0 known articles not requested, 0 listings stopped on known pages"
    ) in result.log


def test_an_article_a_stage_before_dedupe_drops_is_no_copys_canonical_and_not_remembered(
    local_site: LocalSite, tmp_path: Path
) -> None:
    """Dedupe is the pipeline's last stage: it only sees what the stages before it let
    through, so the copy of a dropped article is an original, and the dropped one is fetched
    again by the next run."""
    original = story(200, title="Le barrage atteint son niveau record")
    exact = story(203, title=original.title, paragraphs=original.paragraphs, outlet="Le Matin")
    room = Newsroom()
    room.add(original, exact)
    room.serve(local_site)
    pipelines = {
        "newsagg.pipelines.clean.CleanPipeline": 100,
        "newsagg.pipelines.validate.ValidatePipeline": 200,
        "tests.stage_pipelines.DropArticle200": 250,
        "newsagg.pipelines.dedupe.DedupePipeline": 300,
    }
    first = crawl(local_site, tmp_path, "1.jsonl", ITEM_PIPELINES=json.dumps(pipelines))
    assert [(r["id"], r["duplicate_of"]) for r in first.records] == [
        ("maghress:lopinion:203", None)
    ]
    assert [(r["url"], r["reason"]) for r in first.rejects] == [
        (f"{local_site.base_url}/fr/lopinion/200", "dropped")
    ]
    assert stat(first, "newsagg/dedupe/new") == 1
    assert stat(first, "newsagg/state/recorded") == 1

    second = crawl(local_site, tmp_path, "2.jsonl")  # the default pipelines
    assert article_requests(local_site) == ["/fr/lopinion/200"]
    # 203's record is out with this text: it stays the canonical copy (docs/dedupe.md).
    assert [(r["id"], r["duplicate_of"]) for r in second.records] == [
        ("maghress:lopinion:200", f"{local_site.base_url}/fr/lopinion/203")
    ]


def test_tomorrows_copy_of_todays_story_is_marked_and_drop_mode_skips_it(
    local_site: LocalSite, tmp_path: Path
) -> None:
    original = story(300)
    room = Newsroom()
    room.add(original, story(301))
    room.serve(local_site)
    crawl(local_site, tmp_path, "day1.jsonl")

    room.add(story(310, paragraphs=new_lead(original.paragraphs, 3)))
    room.serve(local_site)
    day2 = crawl(local_site, tmp_path, "day2.jsonl")
    assert [(r["id"], r["duplicate_of"]) for r in day2.records] == [
        ("maghress:lopinion:310", f"{local_site.base_url}/fr/lopinion/300")
    ]

    room.add(story(320, paragraphs=edit_two_sentences(original.paragraphs)), story(321))
    room.serve(local_site)
    day3 = crawl(local_site, tmp_path, "day3.jsonl", NEWSAGG_DUPLICATES="drop")
    assert [r["id"] for r in day3.records] == ["maghress:lopinion:321"]
    assert stat(day3, "newsagg/dedupe/dropped") == 1
    assert stat(day3, "newsagg/state/recorded") == 2  # the dropped copy is recorded too
    assert "maghress: run finished (finished): 1 articles written," in day3.log
    assert (
        "maghress: dedupe: 1 new, 0 updated, 0 unchanged; copies: 0 exact, 1 near, 1 of them"
        " dropped; 3 known articles not requested, 0 listings stopped on known pages"
    ) in day3.log

    day4 = crawl(local_site, tmp_path, "day4.jsonl")
    assert day4.records == []
    assert article_requests(local_site) == []  # nor requested again


def test_full_run_refetches_everything_and_emits_only_changed_bodies(
    local_site: LocalSite, tmp_path: Path
) -> None:
    room = Newsroom()
    room.add(*(story(num) for num in range(400, 408)))
    room.serve(local_site)
    first = crawl(local_site, tmp_path, "1.jsonl")
    before = {r["id"]: r for r in first.records}

    changed = room.stories[403]
    room.add(story(403, paragraphs=[*changed.paragraphs, "Mise à jour : le ministre a réagi."]))
    room.serve(local_site)
    full = crawl(local_site, tmp_path, "full.jsonl", full="1")
    assert len(article_requests(local_site)) == 8
    assert len(full.records) == 1
    record = full.records[0]
    assert record["id"] == "maghress:lopinion:403"
    assert record["updated"] is True
    assert record["duplicate_of"] is None
    assert record["content_hash"] == content_hash(record["body"])
    assert record["content_hash"] != before["maghress:lopinion:403"]["content_hash"]
    assert stat(full, "newsagg/dedupe/updated") == 1
    assert stat(full, "newsagg/dedupe/unchanged") == 7
    assert stat(full, "newsagg/skipped/known") == 0

    again = crawl(local_site, tmp_path, "again.jsonl", NEWSAGG_FULL="True")
    assert again.records == []
    assert stat(again, "newsagg/dedupe/unchanged") == 8


def test_listing_stops_after_k_fully_known_pages(local_site: LocalSite, tmp_path: Path) -> None:
    room = Newsroom(per_page=2, ticker=2)
    room.add(*(story(num) for num in range(500, 508)))  # 4 listing pages
    room.serve(local_site)
    crawl(local_site, tmp_path, "1.jsonl")

    second = crawl(local_site, tmp_path, "2.jsonl", NEWSAGG_STOP_AFTER_KNOWN_PAGES="2")
    assert local_site.requests == ["/robots.txt", "/fr/", "/fr/?page=2"]
    assert second.records == []

    third = crawl(local_site, tmp_path, "3.jsonl", NEWSAGG_STOP_AFTER_KNOWN_PAGES="0")
    assert local_site.requests == ["/robots.txt", "/fr/", *(f"/fr/?page={n}" for n in (2, 3, 4))]
    assert stat(third, "newsagg/listings/stopped_known") == 0


def test_a_run_stopped_half_way_leaves_no_hole_for_the_next(
    local_site: LocalSite, tmp_path: Path
) -> None:
    room = Newsroom(per_page=4, ticker=2)
    room.add(*(story(num) for num in range(1000, 1016)))  # 4 listing pages
    room.serve(local_site)
    everything = [f"maghress:lopinion:{num}" for num in range(1000, 1016)]
    stopped = crawl(
        local_site,
        tmp_path,
        "1.jsonl",
        exit_code=10,  # the health check: the run did not end cleanly
        CLOSESPIDER_ITEMCOUNT="2",
        CONCURRENT_REQUESTS_PER_DOMAIN="1",
    )
    assert "run finished (closespider_itemcount)" in stopped.log
    first = {r["id"] for r in stopped.records}
    assert 2 <= len(first) <= 4  # written and recorded, from listing page 1 only

    # Page 1 is now all known, but the articles under it are not: go on below them.
    second = crawl(local_site, tmp_path, "2.jsonl")
    rest = [r["id"] for r in second.records]
    assert sorted(first | set(rest)) == everything
    assert not first & set(rest)
    assert stat(second, "newsagg/listings/stopped_known") == 0

    third = crawl(local_site, tmp_path, "3.jsonl")  # the hole is filled: stop on page 1 again
    assert third.records == []
    assert local_site.requests == ["/robots.txt", "/fr/"]


def test_a_link_that_redirected_is_known_by_the_url_that_led_there(
    local_site: LocalSite, tmp_path: Path
) -> None:
    room = Newsroom()
    room.add(story(800), story(801), story(950))
    room.serve(local_site)
    # Listed 800 now redirects to the listed 950 (with a slash, so Scrapy fetches both).
    local_site.redirect("/fr/lopinion/800", "/fr/lopinion/950/")
    local_site.add("/fr/lopinion/950/", room.stories[950].html())
    first = crawl(local_site, tmp_path, "1.jsonl")
    assert sorted(r["id"] for r in first.records) == [
        "maghress:lopinion:801",
        "maghress:lopinion:950",
    ]
    assert stat(first, "newsagg/dedupe/repeated") == 1

    second = crawl(local_site, tmp_path, "2.jsonl")
    assert local_site.requests == ["/robots.txt", "/fr/"]
    assert stat(second, "newsagg/skipped/known") == 3


def test_since_still_stops_a_listing_at_older_articles(
    local_site: LocalSite, tmp_path: Path
) -> None:
    room = Newsroom(per_page=2, ticker=0)
    room.add(*(story(num, day="02 - 01 - 2022") for num in (600, 601, 602, 603)))
    room.add(*(story(num, day="20 - 01 - 2022") for num in (604, 605, 606, 607)))
    room.serve(local_site)
    result = crawl(local_site, tmp_path, "out.jsonl", since="2022-01-10")
    assert sorted(r["id"] for r in result.records) == [
        f"maghress:lopinion:{n}" for n in (604, 605, 606, 607)
    ]
    assert stat(result, "newsagg/skipped/before_since") == 2
    assert stat(result, "newsagg/listings/stopped_by_since") == 1
    assert "/fr/?page=4" not in local_site.requests
    assert article_requests(local_site) == [f"/fr/lopinion/{n}" for n in range(602, 608)]


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
    command = crawl_command(tmp_path, output="2.jsonl", start_urls=f"{local_site.base_url}/fr/")
    out = tmp_path / "2.jsonl"
    process = subprocess.Popen(
        command, cwd=REPO, env=crawl_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
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


def test_full_argument_is_checked(local_site: LocalSite, tmp_path: Path) -> None:
    result = run_crawl(tmp_path, start_urls=f"{local_site.base_url}/fr/", full="maybe")
    assert result.returncode == 2
    assert "newsagg: error: full: expected 1 or 0 (true/false, yes/no), got 'maybe'" in result.log


def _slow(page: bytes) -> Callable[[], Route]:
    def handler() -> Route:
        time.sleep(2)
        return 200, {"Content-Type": "text/html; charset=utf-8"}, page

    return handler


def test_near_copies_are_decided_by_the_exact_jaccard_at_the_threshold(
    local_site: LocalSite, tmp_path: Path
) -> None:
    """Two originals of 1004 distinct words each (1000 shingles) and a shortened copy of
    each, in other outlets: one keeps 809 words (805 shingles shared: Jaccard 0.805), the
    other 799 (0.795). With the threshold at 0.8 the first is a copy, the second is not,
    whatever MinHash's estimate of either says."""
    rng = random.Random(2026)
    words = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(9)) for _ in range(2008)
    ]
    first, second = words[:1004], words[1004:]
    room = Newsroom(per_page=10, ticker=0)
    room.add(
        story(101, paragraphs=[" ".join(first)], day="18 - 01 - 2022"),
        story(102, paragraphs=[" ".join(second)], day="18 - 01 - 2022"),
        story(201, paragraphs=[" ".join(first[:809])], slug="lematin", outlet="Le Matin"),
        story(202, paragraphs=[" ".join(second[:799])], slug="lematin", outlet="Le Matin"),
    )
    room.serve(local_site)
    result = crawl(local_site, tmp_path, "out.jsonl")
    copies = {r["id"]: r["duplicate_of"] for r in result.records}
    assert copies == {
        "maghress:lopinion:101": None,
        "maghress:lopinion:102": None,
        "maghress:lematin:201": f"{local_site.base_url}/fr/lopinion/101",
        "maghress:lematin:202": None,
    }
