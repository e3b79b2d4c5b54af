"""SIGKILL at any instant loses nothing and writes nothing twice (docs/guarantees.md).

Each case kills a real crawl: at a named point of the publish step (`NEWSAGG_CRASH_AT`), or
at random instants of whole runs. Then a normal run follows on the same state, and the union
of every published file must be the site's articles, each exactly once."""

from __future__ import annotations

import json
import random
import re
import signal
import time
from pathlib import Path

import pytest

from newsagg.config import CRASH_POINTS
from tests.conftest import LocalSite, read_jsonl, run_crawl
from tests.crafted import news_site, slow, start_crawl, wait_for

ARTICLES = 12


def expected_ids() -> list[str]:
    return [f"maghress:lopinion:{1000 + n}" for n in range(ARTICLES)]


def published_ids(tmp_path: Path, mode: str) -> list[str]:
    """Ids in every published items file (never the .partial ones), in file order."""
    if mode == "dataset":
        files = sorted((tmp_path / "data").glob("maghress/*/*.jsonl.gz"))
    else:
        files = sorted(tmp_path.glob("out-*.jsonl"))
    return [row["id"] for path in files for row in read_jsonl(path)]


def output_of(mode: str, run: int) -> str | None:
    return None if mode == "dataset" else f"out-{run}.jsonl"


# (mode, point, what the next start finds): -O runs have no manifest, so no point after it.
CASES = [
    *(("dataset", point) for point in CRASH_POINTS),
    *(("-O", point) for point in CRASH_POINTS if point not in ("after_manifest", "after_latest")),
]
# The journal the killed run left: nothing, pending (rolled forward), committed (announced).
FOUND = {
    "before_pending": None,
    "after_pending": "pending",
    "mid_rename": "pending",
    "after_rename": "pending",
    "after_commit": "committed",
    "after_manifest": "committed",
    "after_latest": "committed",
}


@pytest.mark.parametrize(("mode", "point"), CASES)
def test_a_kill_at_each_publish_point_loses_and_repeats_nothing(
    local_site: LocalSite, tmp_path: Path, mode: str, point: str
) -> None:
    news_site(local_site, ARTICLES)
    start = f"{local_site.base_url}/fr/"
    killed = run_crawl(
        tmp_path, output=output_of(mode, 1), settings={"NEWSAGG_CRASH_AT": point}, start_urls=start
    )
    assert killed.returncode == -signal.SIGKILL, killed.log

    after = run_crawl(tmp_path, output=output_of(mode, 2), start_urls=start)
    assert after.returncode == 0, after.log
    ids = published_ids(tmp_path, mode)
    assert sorted(ids) == expected_ids()  # all of them, each once
    found = FOUND[point] if mode == "dataset" or point != "after_commit" else None
    recovered = f"recovery: run {run_id_of(killed.log)} of maghress was "
    if found is None:
        assert recovered not in after.log
    elif found == "pending":
        assert recovered + "killed while publishing: its files are in place" in after.log
    else:
        assert recovered + "committed but not announced" in after.log
    assert not list(tmp_path.glob("out-1.jsonl.partial")) or point == "before_pending"
    if mode == "dataset":
        assert_every_run_announced(tmp_path / "data" / "maghress")


def run_id_of(log: str) -> str:
    match = re.search(r"\[newsagg\.run\] INFO: run (\S+) of maghress", log)
    assert match, log
    return match.group(1)


def assert_every_run_announced(site: Path) -> None:
    """Every items file of the dataset has its manifest, and latest.json names the last."""
    items = sorted(site.glob("*/*.jsonl.gz"))
    for path in items:
        assert path.with_name(path.name.replace(".jsonl.gz", ".manifest.json")).exists()
    latest = json.loads((site / "latest.json").read_text(encoding="utf-8"))
    assert items[-1].name.startswith(latest["run_id"])


def test_kills_at_random_instants_lose_and_repeat_nothing(
    local_site: LocalSite, tmp_path: Path
) -> None:
    """Twelve runs, each on the state the one before left, killed at a seeded random instant
    after the site saw its first request (so while crawling, deciding or publishing); then
    one run that ends. Every article once, none twice."""
    paths = news_site(local_site, 30)
    for path in paths:
        local_site.add_dynamic(path, slow(local_site.routes[path][2].decode(), 0.1))
    start = f"{local_site.base_url}/fr/"
    rng = random.Random(20261202)
    settings = {"CONCURRENT_REQUESTS": "2", "CONCURRENT_REQUESTS_PER_DOMAIN": "2"}
    killed = 0
    for _ in range(12):
        seen = len(local_site.requests)
        crawl = start_crawl(tmp_path, output=None, settings=settings, start_urls=start)
        wait_for(lambda: len(local_site.requests) > seen or crawl.poll() is not None)  # noqa: B023
        time.sleep(rng.uniform(0.0, 1.8))
        if crawl.poll() is None:
            crawl.send_signal(signal.SIGKILL)
            killed += 1
        crawl.wait(timeout=60)
    final = run_crawl(tmp_path, output=None, settings=settings, start_urls=start)
    assert final.returncode == 0, final.log
    ids = published_ids(tmp_path, "dataset")
    assert sorted(ids) == [f"maghress:lopinion:{1000 + n}" for n in range(30)]
    assert killed >= 10


def test_the_spool_of_a_killed_run_is_removed_by_the_next_run(
    local_site: LocalSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Articles wait for their decision in a spool under TMPDIR; a SIGKILL runs no cleanup,
    so the next run removes the spool a dead process left, and its own once drained."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))  # the crawls' environment is this one's
    paths = news_site(local_site, 2)
    local_site.add_dynamic(paths[1], slow(local_site.routes[paths[1]][2].decode(), 60))
    start = f"{local_site.base_url}/fr/"
    crawl = start_crawl(tmp_path, output=None, start_urls=start)
    spool = f"newsagg-spool-{crawl.pid}-"
    # The first article is spooled (its directory holds the queue's files: the directory alone
    # exists for an instant before them); the second is still being answered.
    wait_for(lambda: any(p.name.startswith(spool) and any(p.iterdir()) for p in scratch.iterdir()))
    wait_for(lambda: local_site.hits(paths[1]) == 1)
    crawl.send_signal(signal.SIGKILL)
    crawl.wait(timeout=30)
    [left] = scratch.iterdir()
    assert left.name.startswith(spool)
    assert [p.name for p in left.iterdir()] != []  # the spooled article's pickle

    news_site(local_site, 2)  # the second article answers at once now
    after = run_crawl(tmp_path, output=None, start_urls=start)
    assert after.returncode == 0, after.log
    assert "scratch: removed 1 spool directories of killed runs" in after.log
    assert list(scratch.iterdir()) == []
    assert sorted(published_ids(tmp_path, "dataset")) == [
        "maghress:lopinion:1000",
        "maghress:lopinion:1001",
    ]
