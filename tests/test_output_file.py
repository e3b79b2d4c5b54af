"""The output file appears whole at the end of a run, or not at all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from newsagg.sample.build import article_page
from tests.conftest import FAST_SETTINGS, REPO, LocalSite, listing_html, read_jsonl


def slow_article(site: LocalSite, path: str, delay: float) -> None:
    body = article_page(
        {
            "title": "Un article lent",
            "line": "Publié dans L'opinion le 19 - 01 - 2022",
            "source_url": "https://www.lopinion.ma/lent.html",
            "body": ["Un paragraphe."],
            "read_at_source": "Cliquez ici pour lire l'article depuis sa source.",
        },
        ticker=[],
        lang="fr",
    ).encode("utf-8")

    def handler() -> tuple[int, dict[str, str], bytes]:
        time.sleep(delay)
        return 200, {"Content-Type": "text/html; charset=utf-8"}, body

    site.add_dynamic(path, handler)


def start_crawl(site: LocalSite, out: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", "aggregator", "-O", str(out)]
    command += ["-a", "site=maghress", "-a", f"start_urls={site.base_url}/fr/"]
    for name, value in FAST_SETTINGS.items():
        command += ["-s", f"{name}={value}"]
    return subprocess.Popen(
        command,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def wait_for(condition: object, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(0.05)


def crawl_until_first_item(
    site: LocalSite, tmp_path: Path, second_delay: float
) -> subprocess.Popen[str]:
    """Start a crawl of two articles, the second served after `second_delay` seconds, and
    return once the first has been exported (the feed's partial file exists)."""
    slow_article(site, "/fr/lopinion/1", delay=0)
    slow_article(site, "/fr/lopinion/2", delay=second_delay)
    site.add("/fr/", listing_html(["/fr/lopinion/1", "/fr/lopinion/2"]))
    crawl = start_crawl(site, tmp_path / "out.jsonl")
    wait_for((tmp_path / "out.jsonl.partial").exists)
    return crawl


def test_output_is_written_aside_and_renamed_at_the_end(
    local_site: LocalSite, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    crawl = crawl_until_first_item(local_site, tmp_path, second_delay=2)

    assert not out.exists()
    assert crawl.wait(timeout=60) == 0

    assert sorted(r["id"] for r in read_jsonl(out)) == [
        "maghress:lopinion:1",
        "maghress:lopinion:2",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl", "out.rejects.jsonl"]


def test_a_killed_run_leaves_only_partial_files(local_site: LocalSite, tmp_path: Path) -> None:
    crawl = crawl_until_first_item(local_site, tmp_path, second_delay=5)
    crawl.send_signal(signal.SIGKILL)
    crawl.wait(timeout=30)

    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "out.jsonl.partial",
        "out.rejects.jsonl.partial",
    ]
