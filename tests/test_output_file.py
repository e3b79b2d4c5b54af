"""With -O, the output file appears whole at the end of a run, or not at all."""

from __future__ import annotations

import io
import json
import signal
import subprocess
from pathlib import Path

from scrapy.exporters import JsonLinesItemExporter

from newsagg.output.jsonlines import ArticleJsonLinesExporter
from tests.conftest import LocalSite, listing_html, read_jsonl
from tests.crafted import article_html, article_record, slow, start_crawl, wait_for

RUN_FILES = ("out.jsonl", "out.rejects.jsonl")  # what the run publishes, beside its own files


def crawl_until_second_article(
    site: LocalSite, tmp_path: Path, second_delay: float
) -> subprocess.Popen[str]:
    """Start a crawl of two articles, the second answered after `second_delay` seconds, and
    return once the first has been answered and the second asked for."""
    site.add("/fr/lopinion/1001", article_html(1))
    site.add_dynamic("/fr/lopinion/1002", slow(article_html(2), second_delay))
    site.add("/fr/", listing_html(["/fr/lopinion/1001", "/fr/lopinion/1002"]))
    crawl = start_crawl(tmp_path, output="out.jsonl", start_urls=f"{site.base_url}/fr/")
    wait_for(lambda: site.hits("/fr/lopinion/1001") == 1 and site.hits("/fr/lopinion/1002") == 1)
    return crawl


def published(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(RUN_FILES))


def test_output_is_written_aside_and_renamed_at_the_end(
    local_site: LocalSite, tmp_path: Path
) -> None:
    crawl = crawl_until_second_article(local_site, tmp_path, second_delay=2)

    assert [name for name in published(tmp_path) if not name.endswith(".partial")] == []
    assert crawl.wait(timeout=60) == 0

    assert sorted(r["id"] for r in read_jsonl(tmp_path / "out.jsonl")) == [
        "maghress:lopinion:1001",
        "maghress:lopinion:1002",
    ]
    assert published(tmp_path) == ["out.jsonl", "out.rejects.jsonl"]


def test_a_killed_run_publishes_nothing(local_site: LocalSite, tmp_path: Path) -> None:
    crawl = crawl_until_second_article(local_site, tmp_path, second_delay=5)
    crawl.send_signal(signal.SIGKILL)
    crawl.wait(timeout=30)

    # Articles wait for the run's dedupe decisions, so a killed run may not have opened its
    # feed yet: whatever it left is marked partial, and nothing is published.
    left = published(tmp_path)
    assert left in (
        ["out.rejects.jsonl.partial"],
        ["out.jsonl.partial", "out.rejects.jsonl.partial"],
    )


def test_the_feed_exporter_writes_an_article_as_scrapys_own_exporter_does() -> None:
    """The project's exporter reads an Article's fields directly, not through ItemAdapter:
    byte for byte what Scrapy's JsonLinesItemExporter writes, field selection included."""
    article = article_record(
        source_url=None,
        title="Le « projet » de loi",
        body="Premier paragraphe.\n\nالفقرة الثانية.",
        warc={"file": "run-00001.warc.gz", "offset": 1234, "record_id": "<urn:uuid:x>"},
    )
    for options in ({}, {"fields_to_export": ["title", "id"]}):
        ours, scrapys = io.BytesIO(), io.BytesIO()
        ArticleJsonLinesExporter(ours, encoding="utf-8", **options).export_item(article)
        JsonLinesItemExporter(scrapys, encoding="utf-8", **options).export_item(article)
        assert ours.getvalue() == scrapys.getvalue()
    assert list(json.loads(ours.getvalue())) == ["title", "id"]
