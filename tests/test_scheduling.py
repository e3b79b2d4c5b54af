"""Scheduling safety: one run per site at a time; a paused JOBDIR run resumes without losses."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from tests.conftest import LocalSite, listing_html, read_jsonl, run_crawl
from tests.crafted import (
    Gate,
    article_html,
    article_path,
    gated,
    news_site,
    start_crawl,
    wait_for,
)


def test_a_second_run_of_the_same_site_is_refused_while_the_first_runs(
    local_site: LocalSite, tmp_path: Path
) -> None:
    paths = news_site(local_site, 8)
    held = Gate()  # the first run's articles wait until the second run is over
    for n, path in enumerate(paths):
        local_site.add_dynamic(path, gated(article_html(n), held))
    start = f"{local_site.base_url}/fr/"
    first = start_crawl(tmp_path, settings={"CONCURRENT_REQUESTS": "1"}, start_urls=start)
    lock = tmp_path / "state.sqlite3.maghress.lock"  # beside the state, whatever the output
    wait_for(lambda: any(local_site.hits(path) for path in paths))
    second = run_crawl(tmp_path, output="second.jsonl", start_urls=start)
    assert first.poll() is None, "the first run was still going"
    held.open()
    assert second.returncode == 3, second.log
    holder = lock.read_text(encoding="utf-8").strip()
    assert holder.startswith(f"pid {first.pid} since ")
    assert f"newsagg: maghress: another run holds {lock} ({holder}); not starting" in second.log
    assert not (tmp_path / "second.jsonl").exists()
    assert first.wait(timeout=60) == 0
    # Once the first run is over the site is free again (the lock file stays, unlocked).
    local_site.add("/known/", listing_html(paths[:1]))
    third = run_crawl(tmp_path, output="third.jsonl", start_urls=f"{local_site.base_url}/known/")
    assert third.returncode == 0, third.log


def paginated_site(site: LocalSite, pages: int, per_page: int, gate: Gate) -> list[str]:
    """/fr/ and its next pages (?page=2...), `per_page` articles each, answered through
    `gate`; all article paths."""
    paths = []
    for page in range(1, pages + 1):
        numbers = range((page - 1) * per_page, page * per_page)
        links = [article_path(n) for n in numbers]
        next_href = f"/fr/?page={page + 1}" if page < pages else None
        site.add("/fr/" if page == 1 else f"/fr/?page={page}", listing_html(links, next_href))
        for n in numbers:
            site.add_dynamic(article_path(n), gated(article_html(n), gate))
        paths += links
    return paths


def test_a_run_paused_with_sigint_resumes_from_jobdir_losing_and_repeating_nothing(
    local_site: LocalSite, tmp_path: Path
) -> None:
    """`since` makes the spider hold each next page until the page's articles are answered:
    that bookkeeping has to survive the disk queue and the pause too."""
    gate = Gate(free=4)  # the articles after the 4th answered wait until the run is paused
    paths = paginated_site(local_site, pages=3, per_page=6, gate=gate)
    options = {
        "output": None,
        "settings": {"JOBDIR": str(tmp_path / "job"), "CONCURRENT_REQUESTS": "1"},
        "start_urls": f"{local_site.base_url}/fr/",
        "since": "2020-01-01",
    }
    first = start_crawl(tmp_path, **options)
    wait_for(lambda: sum(local_site.hits(path) for path in paths) >= 5)  # the 5th is held
    first.send_signal(signal.SIGINT)
    time.sleep(0.5)  # the signal is in before the held answer ends the last download
    gate.open()
    assert first.wait(timeout=60) == 10, "a paused run did not finish: exit code 10"
    paused = read_run_records(tmp_path / "data")
    assert 0 < len(paused) < len(paths)

    second = run_crawl(tmp_path, **options)  # type: ignore[arg-type]
    assert second.returncode == 0, second.log
    ids = [record["id"] for record in second.records]  # both runs' published files
    assert len(ids) == len(set(ids)) == len(paths)
    assert sorted(ids) == sorted(f"maghress:lopinion:{1000 + n}" for n in range(len(paths)))
    assert all(local_site.hits(path) == 1 for path in paths)


def read_run_records(data: Path) -> list[dict[str, object]]:
    return [row for path in sorted(data.glob("*/*/*.jsonl.gz")) for row in read_jsonl(path)]
