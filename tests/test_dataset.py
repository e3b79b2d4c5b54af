"""The dataset layout: data/{site}/{YYYY-MM-DD}/{run_id}.jsonl.gz, published whole or not at all."""

from __future__ import annotations

import gzip
import re
import signal
from pathlib import Path

from tests.conftest import LocalSite, run_crawl
from tests.crafted import article_html, dataset_files, news_site, slow, start_crawl, wait_for

RUN_FILE = re.compile(r"maghress/\d{4}-\d{2}-\d{2}/(\d{8}T\d{6}Z-[0-9a-f]{6})\.(.+)$")


def run_files(data: Path) -> dict[str, str]:
    """{kind: run id} of every file in the layout, where kind is `jsonl.gz`, `rejects.jsonl`..."""
    found = {}
    for name in dataset_files(data):
        match = RUN_FILE.fullmatch(name)
        assert match, f"{name} is not in the dataset layout"
        found[match.group(2)] = match.group(1)
    return found


def test_run_without_output_writes_the_dataset_layout(
    local_site: LocalSite, tmp_path: Path
) -> None:
    paths = news_site(local_site, 3)
    local_site.add("/fr/", local_site.routes["/fr/"][2] + b'<a href="/fr/lopinion/9999">gone</a>')
    result = run_crawl(tmp_path, output=None, start_urls=f"{local_site.base_url}/fr/")
    assert result.returncode == 0, result.log
    files = run_files(result.output)
    assert sorted(files) == ["jsonl.gz", "rejects.jsonl"]
    assert len(set(files.values())) == 1, "the items, rejects and manifest share one run id"
    assert sorted(r["url"] for r in result.records) == [local_site.base_url + p for p in paths]
    assert [(r["url"], r["reason"]) for r in result.rejects] == [
        (f"{local_site.base_url}/fr/lopinion/9999", "http_404")
    ]


def test_gzip_can_be_switched_off(local_site: LocalSite, tmp_path: Path) -> None:
    news_site(local_site, 2)
    result = run_crawl(
        tmp_path,
        output=None,
        settings={"NEWSAGG_GZIP": "0"},
        start_urls=f"{local_site.base_url}/fr/",
    )
    assert result.returncode == 0, result.log
    assert "jsonl" in run_files(result.output)
    assert len(result.records) == 2


def test_dataset_file_appears_only_when_the_run_ends(local_site: LocalSite, tmp_path: Path) -> None:
    paths = news_site(local_site, 6)
    for n, path in enumerate(paths):
        local_site.add_dynamic(path, slow(article_html(n), 0.15))
    data = tmp_path / "data"
    crawl = start_crawl(
        tmp_path,
        output=None,
        settings={"CONCURRENT_REQUESTS": "1"},
        start_urls=f"{local_site.base_url}/fr/",
    )
    seen_while_crawling: set[str] = set()

    def all_articles_requested() -> bool:
        if data.exists():
            seen_while_crawling.update(dataset_files(data))
        return all(local_site.hits(path) for path in paths)

    wait_for(all_articles_requested)
    assert crawl.wait(timeout=60) == 0
    assert any(name.endswith(".jsonl.gz.partial") for name in seen_while_crawling)
    assert not [name for name in seen_while_crawling if not name.endswith(".partial")]
    published = dataset_files(data)
    assert not [name for name in published if name.endswith(".partial")]
    [items] = [data / name for name in published if name.endswith(".jsonl.gz")]
    with gzip.open(items, "rt", encoding="utf-8") as handle:
        assert len(handle.readlines()) == 6


def test_killed_run_leaves_only_partial_files(local_site: LocalSite, tmp_path: Path) -> None:
    paths = news_site(local_site, 20)
    for n, path in enumerate(paths):
        local_site.add_dynamic(path, slow(article_html(n), 0.1))
    data = tmp_path / "data"
    crawl = start_crawl(
        tmp_path,
        output=None,
        settings={"CONCURRENT_REQUESTS": "1"},
        start_urls=f"{local_site.base_url}/fr/",
    )
    wait_for(lambda: any(n.endswith(".jsonl.gz.partial") for n in dataset_files(data)))
    crawl.send_signal(signal.SIGKILL)
    crawl.wait(timeout=30)
    left = dataset_files(data)
    assert left, "the killed run had started its files"
    assert [name for name in left if not name.endswith(".partial")] == []
    assert not (data / "maghress" / "latest.json").exists()
