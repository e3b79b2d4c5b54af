"""Stage timers: exclusive sums per stage, off by default, on through NEWSAGG_STAGE_TIMERS."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from newsagg.timing import StageTimer, no_timer
from tests.conftest import LocalSite, listing_html, run_crawl
from tests.test_crawl import add_articles


def ticking_clock() -> Iterator[float]:
    """A clock that advances by one second each time it is read."""
    second = 0.0
    while True:
        yield second
        second += 1.0


def test_a_stage_timed_inside_another_is_not_counted_twice() -> None:
    clock = ticking_clock()
    timer = StageTimer(clock=lambda: next(clock))
    with timer("extraction"):  # reads 0 ... 5
        with timer("date"):  # reads 1 ... 2
            pass
        with timer("date"):  # reads 3 ... 4
            pass
    assert dict(timer.seconds) == {"date": 2.0, "extraction": 3.0}


def test_no_timer_hands_out_one_shared_context() -> None:
    assert no_timer("extraction") is no_timer("date")


def test_stage_timers_are_off_unless_the_setting_turns_them_on(
    local_site: LocalSite, tmp_path: Path
) -> None:
    local_site.add("/fr/", listing_html(add_articles(local_site, range(1001, 1004))))
    start = f"{local_site.base_url}/fr/"

    timed = run_crawl(tmp_path, start_urls=start, settings={"NEWSAGG_STAGE_TIMERS": "1"})
    fresh_state = {"NEWSAGG_STATE": str(tmp_path / "untimed-state.sqlite3")}  # same 3 are new
    untimed = run_crawl(tmp_path, output="untimed.jsonl", settings=fresh_state, start_urls=start)

    stages = set(re.findall(r"'newsagg/time/(\w+)'", timed.log))
    assert stages == {
        *("parse", "extraction", "clean", "validate", "export"),
        *("dedupe", "near_duplicates", "state", "publish"),
    }
    assert "newsagg/time/" not in untimed.log
    assert len(timed.records) == 3
    assert _by_id(timed.records) == _by_id(untimed.records)


def _by_id(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["id"]: {k: v for k, v in r.items() if k != "scraped_at"} for r in records}
