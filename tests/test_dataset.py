"""The dataset layout: data/{site}/{YYYY-MM-DD}/{run_id}.jsonl.gz, published whole or not at all."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import signal
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from newsagg.pipelines.validate import load_article_schema
from tests.conftest import LocalSite, listing_html, run_crawl
from tests.crafted import dataset_files, news_site, start_crawl, wait_for

RUN_FILE = re.compile(r"maghress/\d{4}-\d{2}-\d{2}/(\d{8}T\d{6}Z-[0-9a-f]{6})[.-](.+)$")


def run_files(data: Path) -> dict[str, str]:
    """{kind: run id} of every run file in the layout, where kind is `jsonl.gz`,
    `rejects.jsonl`, `manifest.json`, `00001.warc.gz`…"""
    found = {}
    for name in dataset_files(data):
        if name == "maghress/latest.json":
            continue
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
    assert sorted(files) == ["00001.warc.gz", "jsonl.gz", "manifest.json", "rejects.jsonl"]
    assert len(set(files.values())) == 1, "the run's files share one run id"
    assert sorted(r["url"] for r in result.records) == [local_site.base_url + p for p in paths]
    schema = Draft202012Validator(load_article_schema())
    assert [list(schema.iter_errors(record)) for record in result.records] == [[], [], []]
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


def slow_dataset_crawl(local_site: LocalSite, tmp_path: Path) -> subprocess.Popen[str]:
    """A dataset run of /fr/, one request at a time, started in the background."""
    return start_crawl(
        tmp_path,
        output=None,
        settings={"CONCURRENT_REQUESTS": "1"},
        start_urls=f"{local_site.base_url}/fr/",
    )


def test_dataset_file_appears_only_when_the_run_ends(local_site: LocalSite, tmp_path: Path) -> None:
    paths = news_site(local_site, 6, seconds=0.15)
    data = tmp_path / "data"
    crawl = slow_dataset_crawl(local_site, tmp_path)
    seen_while_crawling: set[str] = set()

    def all_articles_requested() -> bool:
        if data.exists():
            seen_while_crawling.update(dataset_files(data))
        return all(local_site.hits(path) for path in paths)

    wait_for(all_articles_requested)
    assert crawl.wait(timeout=60) == 0
    # Articles are held until the run's dedupe decisions (newsagg.output.exporter), then written
    # as .partial and renamed: while crawling, nothing is published.
    assert not [name for name in seen_while_crawling if not name.endswith(".partial")]
    published = dataset_files(data)
    assert not [name for name in published if name.endswith(".partial")]
    [items] = [data / name for name in published if name.endswith(".jsonl.gz")]
    with gzip.open(items, "rt", encoding="utf-8") as handle:
        assert len(handle.readlines()) == 6


def test_killed_run_leaves_only_partial_files(local_site: LocalSite, tmp_path: Path) -> None:
    paths = news_site(local_site, 20, seconds=0.1)
    data = tmp_path / "data"
    crawl = slow_dataset_crawl(local_site, tmp_path)
    wait_for(lambda: sum(local_site.hits(path) for path in paths) >= 5)
    crawl.send_signal(signal.SIGKILL)
    crawl.wait(timeout=30)
    left = dataset_files(data)
    assert [name for name in left if not name.endswith(".partial")] == []
    assert not (data / "maghress" / "latest.json").exists()


def read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def test_manifest_describes_the_run_and_latest_points_to_it(
    local_site: LocalSite, tmp_path: Path
) -> None:
    paths = news_site(local_site, 5, source_href=None)
    listing = listing_html([*paths, "/fr/lopinion/9999"])
    local_site.add("/fr/", listing)
    result = run_crawl(tmp_path, output=None, lang="fr", start_urls=f"{local_site.base_url}/fr/")
    assert result.returncode == 13, result.log  # no source_url anywhere: template drift
    data = result.output
    latest = read_json(data / "maghress" / "latest.json")
    manifest = read_json(data / "maghress" / latest["manifest"])
    run_id = manifest["run_id"]
    assert latest == {
        "run_id": run_id,
        "manifest": f"{manifest['started'][:10]}/{run_id}.manifest.json",
        "finished": manifest["finished"],
        "items": 5,
        "health": "failed",
    }
    assert manifest["site"] == "maghress"
    assert manifest["finish_reason"] == "finished"
    assert manifest["arguments"]["lang"] == ["fr"]
    assert manifest["arguments"]["start_urls"] == [f"{local_site.base_url}/fr/"]
    assert manifest["settings"]["ROBOTSTXT_OBEY"] is True
    assert manifest["settings"]["NEWSAGG_DATA_DIR"] == str(data)
    assert manifest["counts"] == {
        "items": 5,
        "rejects": 1,
        "rejects_by_reason": {"http_404": 1},
        "duplicates": 0,
        "duplicates_by_kind": {},
        "articles_extracted": 5,
        "pages": 8,
        "listing_pages": 1,
        "listings": {"front": {"found": 1, "pages": 1, "deepest_page": 1, "articles": 6}},
    }
    assert manifest["fill_rates"] == {
        "title": 1.0,
        "source": 1.0,
        "source_url": 0.0,
        "published": 1.0,
        "body": 1.0,
        "author": 0.0,
    }
    assert manifest["health"]["status"] == "failed"
    assert manifest["health"]["exit_code"] == 13
    assert [p["rule"] for p in manifest["health"]["problems"]] == ["field_fill"]
    assert manifest["versions"]["newsagg"] == "0.1.0"
    for entry in manifest["files"]:
        content = (data / entry["path"]).read_bytes()
        assert entry["bytes"] == len(content)
        assert entry["sha256"] == hashlib.sha256(content).hexdigest()
    day = latest["manifest"].split("/")[0]
    assert [(f["kind"], f["path"], f["rows"]) for f in manifest["files"]] == [
        ("items", f"maghress/{day}/{run_id}.jsonl.gz", 5),
        ("rejects", f"maghress/{day}/{run_id}.rejects.jsonl", 1),
        # robots.txt, the listing, the five articles, the 404: every exchange of the run
        ("archive", f"maghress/{day}/{run_id}-00001.warc.gz", 8),
    ]


def test_a_consumer_reads_exactly_the_rows_the_manifests_report(
    local_site: LocalSite, tmp_path: Path
) -> None:
    """Two published runs and one killed run's .partial: DuckDB's glob sees the published rows."""
    import duckdb

    news_site(local_site, 3)
    first = run_crawl(tmp_path, output=None, start_urls=f"{local_site.base_url}/fr/")
    news_site(local_site, 4)
    fresh_state = {"NEWSAGG_STATE": str(tmp_path / "second-state.sqlite3")}  # all 4 are new
    second = run_crawl(
        tmp_path, output=None, settings=fresh_state, start_urls=f"{local_site.base_url}/fr/"
    )
    assert (first.returncode, second.returncode) == (0, 0)
    data = first.output
    day_dir = next((data / "maghress").glob("*-*-*"))
    (day_dir / "20000101T000000Z-dead00.jsonl.gz.partial").write_bytes(b"half a gzip stream")
    manifests = [read_json(p) for p in sorted(data.glob("maghress/*/*.manifest.json"))]
    assert [m["counts"]["items"] for m in manifests] == [3, 4]
    rows = duckdb.sql(
        f"SELECT id, published, source FROM read_json_auto('{data}/maghress/*/*.jsonl.gz')"
    ).fetchall()
    assert len(rows) == sum(m["counts"]["items"] for m in manifests) == 7
    assert {row[1:] for row in rows} == {(date(2022, 1, 19), "L'opinion")}
