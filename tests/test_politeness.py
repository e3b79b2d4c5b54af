"""Politeness: retries wait (Retry-After honoured), and the user agent names who to contact."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from newsagg.middlewares.retry import retry_after
from tests.conftest import LocalSite, Route, listing_html, run_crawl
from tests.crafted import article_html, article_path


def answers_then_article(
    first: Route, times: list[float], n: int = 0, failures: int = 1
) -> Callable[[], Route]:
    """`first` for the first `failures` requests, then the article; request times in `times`."""

    def handler() -> Route:
        times.append(time.monotonic())
        if len(times) <= failures:
            return first
        return 200, {"Content-Type": "text/html; charset=utf-8"}, article_html(n).encode()

    return handler


def test_retry_after_seconds_are_waited_before_the_retry(
    local_site: LocalSite, tmp_path: Path
) -> None:
    times: list[float] = []
    local_site.add("/fr/", listing_html([article_path(0)]))
    too_many = (429, {"Content-Type": "text/plain", "Retry-After": "1"}, b"slow down")
    local_site.add_dynamic(article_path(0), answers_then_article(too_many, times))
    result = run_crawl(tmp_path, start_urls=f"{local_site.base_url}/fr/")
    assert result.returncode == 0, result.log
    assert len(times) == 2
    assert times[1] - times[0] >= 1.0
    assert [r["url"] for r in result.records] == [local_site.base_url + article_path(0)]


def test_retries_back_off_exponentially_without_retry_after(
    local_site: LocalSite, tmp_path: Path
) -> None:
    times: list[float] = []
    local_site.add("/fr/", listing_html([article_path(0)]))
    error = (503, {"Content-Type": "text/plain"}, b"busy")
    local_site.add_dynamic(article_path(0), answers_then_article(error, times, failures=2))
    result = run_crawl(
        tmp_path, settings={"NEWSAGG_RETRY_BACKOFF": "0.3"}, start_urls=f"{local_site.base_url}/fr/"
    )
    assert result.returncode == 0, result.log
    assert len(times) == 3
    assert times[1] - times[0] >= 0.3
    assert times[2] - times[1] >= 0.6
    assert len(result.records) == 1


def test_a_retry_after_beyond_the_maximum_gives_the_page_up(
    local_site: LocalSite, tmp_path: Path
) -> None:
    local_site.add("/fr/", listing_html([article_path(0)]))
    local_site.add(
        article_path(0),
        "later",
        status=503,
        content_type="text/plain",
        headers={"Retry-After": "3600"},
    )
    result = run_crawl(tmp_path, start_urls=f"{local_site.base_url}/fr/")
    assert local_site.hits(article_path(0)) == 1
    assert [r["reason"] for r in result.rejects] == ["http_503"]
    assert "Retry-After 3600 s is over NEWSAGG_RETRY_BACKOFF_MAX; not retried" in result.log


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2026, 11, 26, 10, 0, 0, tzinfo=UTC)
    assert retry_after(b"120", now) == 120.0
    assert retry_after(b"Thu, 26 Nov 2026 10:01:30 GMT", now) == 90.0
    assert retry_after(b"Thu, 26 Nov 2026 09:00:00 GMT", now) == 0.0
    assert retry_after(b"soon", now) is None
    assert retry_after(None, now) is None


def test_user_agent_carries_the_contact_url_setting(local_site: LocalSite, tmp_path: Path) -> None:
    local_site.add("/fr/", listing_html([]))
    run_crawl(
        tmp_path,
        settings={"NEWSAGG_CONTACT_URL": "https://ops.example.org/crawler"},
        start_urls=f"{local_site.base_url}/fr/",
    )
    assert set(local_site.user_agents) == {"newsagg/0.1.0 (+https://ops.example.org/crawler)"}
    assert local_site.requests[0] == "/robots.txt"
