"""The operator's view: progress lines while crawling, a summary table, `scrapy newsagg-report`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import REPO, SCRAPY, LocalSite, crawl_env, run_crawl
from tests.crafted import news_site


def test_progress_lines_during_the_crawl_and_a_summary_table_at_the_end(
    local_site: LocalSite, tmp_path: Path
) -> None:
    news_site(local_site, 6, seconds=0.15)
    result = run_crawl(
        tmp_path,
        settings={"NEWSAGG_PROGRESS_INTERVAL": "0.3", "CONCURRENT_REQUESTS": "1"},
        start_urls=f"{local_site.base_url}/fr/",
    )
    assert result.returncode == 0, result.log
    progress = [line for line in result.log.splitlines() if "maghress: progress: " in line]
    assert len(progress) >= 2
    assert " articles extracted, 0 rejects, " in progress[0]
    assert progress[0].endswith(" downloading")
    table = result.log.split("run summary:\n", 1)[1].splitlines()
    assert table[1:2] == ["  finish reason       finished"]
    assert "  articles extracted  6" in table
    assert "  articles written    6" in table
    assert "  duplicates          0" in table
    assert "  rejected            0" in table


def report(data: Path, *options: str) -> str:
    done = subprocess.run(
        [*SCRAPY, "newsagg-report", *options, str(data)],
        cwd=REPO,
        env=crawl_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_report_lists_the_last_runs_of_each_site_from_their_manifests(
    local_site: LocalSite, tmp_path: Path
) -> None:
    news_site(local_site, 3)
    start = f"{local_site.base_url}/fr/"
    assert run_crawl(tmp_path, output=None, start_urls=start).returncode == 0
    news_site(local_site, 5, source_href=None)
    fresh_state = {"NEWSAGG_STATE": str(tmp_path / "second-state.sqlite3")}  # all 5 are new
    assert run_crawl(tmp_path, output=None, settings=fresh_state, start_urls=start).returncode == 13
    data = tmp_path / "data"
    manifests = sorted(data.glob("maghress/*/*.manifest.json"))
    first, second = (json.loads(p.read_text(encoding="utf-8")) for p in manifests)
    crashed = manifests[0].parent / "20000101T000000Z-dead00.jsonl.gz.partial"
    crashed.write_bytes(b"")

    lines = report(data).splitlines()
    assert lines[0] == f"maghress (latest: {second['run_id']})"
    assert lines[1].split() == [
        "run", "started", "(UTC)", "duration", "articles", "rejects", "dups", "health"
    ]  # fmt: skip
    # run, day, time, duration, "s", articles, rejects, dups, health
    rows = [line.split(None, 8) for line in lines[2:]]
    assert [row[0] for row in rows] == [
        second["run_id"],
        first["run_id"],
        "20000101T000000Z-dead00",
    ]
    assert rows[0][1:3] == second["started"].rstrip("Z").split("T")
    assert rows[0][5:] == ["5", "0", "0", "failed (exit 13: field_fill)"]
    assert rows[1][5:] == ["3", "0", "0", "ok"]
    assert lines[4].split(None, 6)[1:] == ["-"] * 5 + ["no manifest: crashed or still running"]
    assert len(report(data, "--runs", "1").splitlines()) == 3
