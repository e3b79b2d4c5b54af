"""Health rules: each trips on a crafted site through a real crawl and sets its exit code."""

from __future__ import annotations

from pathlib import Path

from newsagg.health import EXIT_CODES, PreviousRun, RunFacts, Thresholds, check_run
from tests.conftest import LocalSite, listing_html, run_crawl
from tests.crafted import article_html, article_path, news_site

LIMITS = Thresholds(min_fill_pct={"source_url": 50.0}, min_sample=5)


def facts(**changes: object) -> RunFacts:
    """A healthy run of 10 articles and 12 pages, with `changes`."""
    base: dict[str, object] = {
        "finish_reason": "finished",
        "items": 10,
        "rejects": 0,
        "articles": 10,
        "filled": {"source_url": 10},
        "missing_example": {},
        "pages": 12,
        "http_errors": 0,
        "spider_exceptions": 0,
        "error_lines": 0,
        "previous": None,
    }
    return RunFacts(**{**base, **changes})  # type: ignore[arg-type]


def test_a_clean_run_is_ok_with_exit_code_0() -> None:
    verdict = check_run(facts(), LIMITS)
    assert (verdict.status, verdict.exit_code, verdict.problems) == ("ok", 0, ())


def test_the_lowest_exit_code_wins_and_every_problem_is_reported() -> None:
    verdict = check_run(facts(items=0, rejects=10, http_errors=10, pages=12), LIMITS)
    assert [p.rule for p in verdict.problems] == ["http_errors", "reject_rate"]
    assert verdict.exit_code == EXIT_CODES["http_errors"] == 11


def test_rate_rules_wait_for_enough_cases() -> None:
    small = facts(items=1, rejects=3, articles=1, filled={}, pages=4, http_errors=3)
    assert check_run(small, LIMITS).problems == ()


def test_zero_articles_stays_flagged_until_articles_come_back() -> None:
    empty = {"items": 0, "articles": 0, "filled": {}}
    had = PreviousRun("r1", items=7, zero_alert=False)
    flagged = PreviousRun("r2", items=0, zero_alert=True)
    quiet = PreviousRun("r0", items=0, zero_alert=False)
    assert check_run(facts(**empty, previous=had), LIMITS).exit_code == 12
    assert check_run(facts(**empty, previous=flagged), LIMITS).exit_code == 12
    assert check_run(facts(**empty, previous=quiet), LIMITS).exit_code == 0
    assert check_run(facts(**empty), LIMITS).exit_code == 0


def test_a_dead_start_listing_fails_whatever_the_sample_size() -> None:
    dead = ("start listing http://x/fr/nosuch failed: HTTP 404 after retries",)
    verdict = check_run(facts(items=0, articles=0, filled={}, pages=2, dead_starts=dead), LIMITS)
    assert [(p.rule, p.exit_code, p.message) for p in verdict.problems] == [
        ("start_listings", 15, dead[0])
    ]


# --- through real crawls --------------------------------------------------------------------


def test_run_ended_early_exits_10(local_site: LocalSite, tmp_path: Path) -> None:
    news_site(local_site, 6)
    result = run_crawl(
        tmp_path,
        settings={"CLOSESPIDER_ITEMCOUNT": "2", "CONCURRENT_REQUESTS": "1"},
        start_urls=f"{local_site.base_url}/fr/",
    )
    assert result.returncode == 10, result.log
    assert (
        "health: run_failed (exit code 10): run did not end cleanly: "
        "finish reason 'closespider_itemcount'" in result.log
    )


def test_http_error_rate_exits_11(local_site: LocalSite, tmp_path: Path) -> None:
    """8 pages answered: robots.txt, the listing and 6 articles that stay 503 after retries."""
    paths = [article_path(n) for n in range(6)]
    local_site.add("/fr/", listing_html(paths))
    for path in paths:
        local_site.add(path, "boom", status=503, content_type="text/plain")
    result = run_crawl(tmp_path, start_urls=f"{local_site.base_url}/fr/")
    assert result.returncode == 11, result.log
    assert "6 of 8 pages (75 %) answered an HTTP error or nothing (maximum 20 %)" in result.log
    assert {row["reason"] for row in result.rejects} == {"http_503"}


def test_field_missing_from_most_articles_exits_13_naming_field_and_example(
    local_site: LocalSite, tmp_path: Path
) -> None:
    paths = news_site(local_site, 6, source_href=None)
    result = run_crawl(tmp_path, start_urls=f"{local_site.base_url}/fr/")
    assert result.returncode == 13, result.log
    assert len(result.records) == 6, "a missing source_url is allowed in the dataset"
    line = next(x for x in result.log.splitlines() if "health: field_fill" in x)
    assert "source_url found in 0 of 6 articles (0 %, minimum 50 %): template drift? e.g. " in line
    assert any(line.endswith(local_site.base_url + path) for path in paths)


def test_schema_invalid_articles_are_rejected_with_the_reason_and_rate_exits_14(
    local_site: LocalSite, tmp_path: Path
) -> None:
    """A read-at-source link to an ftp:// archive gives a source_url the schema refuses."""
    paths = news_site(local_site, 6)
    for n in (1, 4):
        local_site.add(paths[n], article_html(n, source_href="ftp://archive.lopinion.ma/{n}.txt"))
    result = run_crawl(tmp_path, start_urls=f"{local_site.base_url}/fr/")
    assert result.returncode == 14, result.log
    assert sorted(r["url"] for r in result.records) == sorted(
        local_site.base_url + paths[n] for n in (0, 2, 3, 5)
    )
    rejects = sorted(result.rejects, key=lambda row: row["url"])
    assert [(r["url"], r["reason"], r["found"]) for r in rejects] == [
        (
            local_site.base_url + paths[n],
            "invalid_schema",
            {
                "field": "source_url",
                "error": f"'ftp://archive.lopinion.ma/{n}.txt' does not match '^https?://'",
            },
        )
        for n in (1, 4)
    ]
    assert "2 of 6 articles and pages rejected (33 %, maximum 20 %)" in result.log


def test_zero_articles_after_a_run_that_had_some_exits_12_until_they_return(
    local_site: LocalSite, tmp_path: Path
) -> None:
    """Read from the previous run's manifest through latest.json, in the dataset layout."""
    start = f"{local_site.base_url}/fr/"
    news_site(local_site, 3)
    assert run_crawl(tmp_path, output=None, start_urls=start).returncode == 0
    local_site.add("/fr/", listing_html([]))
    second = run_crawl(tmp_path, output=None, start_urls=start)
    assert second.returncode == 12, second.log
    assert "health: zero_articles (exit code 12): 0 articles, where the previous run " in second.log
    assert "had 3 articles" in second.log
    third = run_crawl(tmp_path, output=None, start_urls=start)
    assert third.returncode == 12, "still nothing: the alert stays up"
    news_site(local_site, 2)
    assert run_crawl(tmp_path, output=None, start_urls=start).returncode == 0
