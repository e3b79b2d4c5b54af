"""Scheduling safety: one run per site at a time; a paused JOBDIR run resumes without losses."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import LocalSite, listing_html, run_crawl
from tests.crafted import article_html, news_site, slow, start_crawl, wait_for


def test_a_second_run_of_the_same_site_is_refused_while_the_first_runs(
    local_site: LocalSite, tmp_path: Path
) -> None:
    paths = news_site(local_site, 8)
    for n, path in enumerate(paths):
        local_site.add_dynamic(path, slow(article_html(n), 0.25))  # 2 s: longer than a start
    start = f"{local_site.base_url}/fr/"
    first = start_crawl(tmp_path, settings={"CONCURRENT_REQUESTS": "1"}, start_urls=start)
    lock = tmp_path / "data" / "maghress.lock"
    wait_for(lambda: any(local_site.hits(path) for path in paths))
    second = run_crawl(tmp_path, output="second.jsonl", start_urls=start)
    assert first.poll() is None, "the first run was still going"
    assert second.returncode == 3, second.log
    holder = lock.read_text(encoding="utf-8").strip()
    assert holder.startswith(f"pid {first.pid} since ")
    assert f"newsagg: maghress: another run holds {lock} ({holder}); not starting" in second.log
    assert not (tmp_path / "second.jsonl").exists()
    assert first.wait(timeout=60) == 0
    # Once the first run is over the site is free again (the lock file stays, unlocked).
    local_site.add("/empty/", listing_html([]))
    third = run_crawl(tmp_path, output="third.jsonl", start_urls=f"{local_site.base_url}/empty/")
    assert third.returncode == 0, third.log
