"""Every fixture page, in every template variant, through a real crawl: exact records.

`fixtures/pages/<site>/<case>.html` is served at the path its `.json` names, a listing page
links to all of a site's cases, and one `scrapy crawl` per site collects the records."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from newsagg.pipelines.clean import content_hash
from tests.conftest import PAGES, CrawlResult, LocalSite, listing_html, run_crawl, serving

CASES = sorted(PAGES.glob("*/*.json"))


def load_case(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], CrawlResult]]:
    """`crawls(site)`: one crawl per site over all its cases, run on first use."""
    results: dict[str, CrawlResult] = {}
    with ExitStack() as servers:

        def crawl(site: str) -> CrawlResult:
            if site not in results:
                local = servers.enter_context(serving(site_of_cases(site)))
                results[site] = run_crawl(
                    tmp_path_factory.mktemp(site), site=site, start_urls=f"{local.base_url}/listing"
                )
                results[site].base_url = local.base_url
            return results[site]

        yield crawl


def site_of_cases(site: str) -> LocalSite:
    """Every case page of `site` at its path, and /listing linking to them all."""
    local = LocalSite()
    paths = []
    for case_path in sorted((PAGES / site).glob("*.json")):
        case = load_case(case_path)
        headers = case.get("headers", {})
        local.add(
            case["path"],
            case_path.with_suffix(".html").read_bytes(),
            content_type=headers.get("Content-Type", "text/html; charset=utf-8"),
        )
        paths.append(case["path"])
    local.add("/listing", listing_html(paths))
    return local


@pytest.mark.parametrize("case_path", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture_page_gives_its_expected_record(
    case_path: Path, crawls: Callable[[str], CrawlResult]
) -> None:
    case = load_case(case_path)
    site = case_path.parent.name
    result = crawls(site)
    base = result.base_url
    url = base + case["path"]
    if "reject" in case:
        assert url not in {record["url"] for record in result.records}
        reasons = [row["reason"] for row in result.rejects if row["url"] == url]
        assert reasons == [case["reject"]]
        return
    expected = {
        key: value.replace("{base}", base) if isinstance(value, str) else value
        for key, value in case["expected"].items()
    }
    records = [record for record in result.records if record["url"] == url]
    assert len(records) == 1, f"no record for {url}; rejects: {result.rejects}"
    record = records[0]
    got = {key: record[key] for key in expected}
    assert got == expected
    assert record["content_hash"] == content_hash(expected["body"])
    assert record["duplicate_of"] is None
    for text in case.get("must_not_contain", []):
        assert text, f"{case_path.name}: empty must_not_contain entry (write \\u escapes)"
        assert text not in record["body"], f"{text!r} leaked into the body"
