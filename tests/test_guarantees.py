"""Each failure scenario of docs/guarantees.md, by breaking a real crawl: its exit code, its
one line, and that nothing is lost or written twice by the runs after it."""

from __future__ import annotations

import gzip
import io
import json
import shutil
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsagg.settings import EXTENSIONS
from tests.conftest import LocalSite, listing_html, read_jsonl, run_crawl, serving
from tests.crafted import (
    Gate,
    article_html,
    article_path,
    gated,
    news_site,
    slow,
    start_crawl,
    wait_for,
)


def ids_published(tmp_path: Path) -> list[str]:
    """Ids in every published items file of the dataset under tmp_path/data and of every -O
    file named out*.jsonl (never .partial)."""
    files = sorted((tmp_path / "data").glob("maghress/*/*.jsonl.gz"))
    files += sorted(p for p in tmp_path.rglob("out*.jsonl") if ".rejects." not in p.name)
    return [row["id"] for path in files for row in read_jsonl(path)]


def all_ids(count: int) -> list[str]:
    return [f"maghress:lopinion:{1000 + n}" for n in range(count)]


def exit_line(log: str) -> str:
    """The crawl command's own last line (`newsagg: ...`)."""
    return [line for line in log.splitlines() if line.startswith("newsagg: ")][-1]


@contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A real small filesystem at `path`; the test is skipped (saying why) where this machine
    will not mount one (not root)."""
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}): needs root")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(directory: Path, leave: int = 0) -> Path:
    """Fill the filesystem of `directory`, leaving about `leave` bytes free."""
    filler = directory / "filler"
    free = shutil.disk_usage(directory).free - leave
    with filler.open("wb") as handle:
        try:
            handle.write(b"\0" * max(free, 0))
            handle.flush()
        except OSError:
            pass  # full: what was asked
    return filler


# --- 2. Ctrl-C twice ----------------------------------------------------------------------------


def test_ctrl_c_twice_exits_5_and_the_next_run_loses_nothing(
    local_site: LocalSite, tmp_path: Path
) -> None:
    paths = news_site(local_site, 6, seconds=3)
    start = f"{local_site.base_url}/fr/"
    crawl = start_crawl(tmp_path, output=None, start_urls=start)
    wait_for(lambda: any(local_site.hits(path) for path in paths))
    crawl.send_signal(signal.SIGINT)
    time.sleep(0.5)
    crawl.send_signal(signal.SIGINT)  # "forcing unclean shutdown"
    assert crawl.wait(timeout=60) == 5
    log = (tmp_path / "crawl.log").read_text(encoding="utf-8")
    assert "stopped before its verdict" in exit_line(log)
    assert ids_published(tmp_path) == []

    news_site(local_site, 6)
    after = run_crawl(tmp_path, output=None, start_urls=start)
    assert after.returncode == 0, after.log
    assert sorted(ids_published(tmp_path)) == all_ids(6)


# --- 3. JOBDIR and SIGKILL ----------------------------------------------------------------------


def test_a_jobdir_left_by_a_killed_run_is_refused_and_a_fresh_run_loses_nothing(
    local_site: LocalSite, tmp_path: Path
) -> None:
    paths = news_site(local_site, 8, seconds=0.3)
    job = tmp_path / "job"
    options = {
        "output": None,
        "settings": {"JOBDIR": str(job), "CONCURRENT_REQUESTS": "1"},
        "start_urls": f"{local_site.base_url}/fr/",
    }
    crawl = start_crawl(tmp_path, **options)
    wait_for(lambda: sum(local_site.hits(path) for path in paths) >= 2)
    crawl.send_signal(signal.SIGKILL)
    crawl.wait(timeout=30)

    resumed = run_crawl(tmp_path, **options)  # type: ignore[arg-type]
    assert resumed.returncode == 2
    line = exit_line(resumed.log)
    assert line.startswith(f"newsagg: error: JOBDIR {job}: run ")
    assert line.endswith(
        "did not end cleanly (killed, or its publish failed), so its queue cannot be trusted;"
        " delete the directory to start afresh (the state holds everything that run published)"
    )
    assert resumed.log.splitlines() == [line]

    shutil.rmtree(job)
    fresh = run_crawl(tmp_path, **options)  # type: ignore[arg-type]
    assert fresh.returncode == 0, fresh.log
    assert sorted(ids_published(tmp_path)) == all_ids(8)
    # A run that finished clears its queue: the next one with this JOBDIR starts afresh.
    assert sorted(p.name for p in job.iterdir()) == ["newsagg-job.json"]
    assert json.loads((job / "newsagg-job.json").read_text())["status"] == "finished"


# --- 4. a state that cannot be written ---------------------------------------------------------


def test_an_immutable_state_file_stops_the_run_before_anything_is_requested(
    local_site: LocalSite, tmp_path: Path
) -> None:
    news_site(local_site, 2)
    start = f"{local_site.base_url}/fr/"
    assert run_crawl(tmp_path, output="out-1.jsonl", start_urls=start).returncode == 0
    state = tmp_path / "state.sqlite3"
    if subprocess.run(["chattr", "+i", str(state)], check=False).returncode != 0:
        pytest.skip("chattr +i is not possible here (needs root and ext4-like filesystem)")
    try:
        requests_before = len(local_site.requests)
        refused = run_crawl(tmp_path, output="out-2.jsonl", start_urls=start)
    finally:
        subprocess.run(["chattr", "-i", str(state)], check=True)
    assert refused.returncode == 2
    assert exit_line(refused.log).startswith(f"newsagg: error: state {state}: cannot be opened: ")
    assert "readonly database" in exit_line(refused.log)
    assert len(local_site.requests) == requests_before
    assert not (tmp_path / "out-2.jsonl").exists()


def test_a_state_that_turns_read_only_mid_run_publishes_nothing(
    local_site: LocalSite, tmp_path: Path
) -> None:
    paths = news_site(local_site, 6, seconds=0.3)
    start = f"{local_site.base_url}/fr/"
    settings = {"CONCURRENT_REQUESTS": "2"}
    crawl = start_crawl(tmp_path, output="out-1.jsonl", settings=settings, start_urls=start)
    wait_for(lambda: any(local_site.hits(path) for path in paths))
    # The file and its write-ahead log (not the -shm index, which SQLite maps into memory).
    state_files = [str(tmp_path / "state.sqlite3"), str(tmp_path / "state.sqlite3-wal")]
    if subprocess.run(["chattr", "+i", *state_files], check=False).returncode != 0:
        crawl.kill()
        pytest.skip("chattr +i is not possible here (needs root and ext4-like filesystem)")
    try:
        assert crawl.wait(timeout=60) == 4
    finally:
        subprocess.run(["chattr", "-i", *state_files], check=True)
    log = (tmp_path / "crawl.log").read_text(encoding="utf-8")
    assert exit_line(log).startswith("newsagg: maghress: publish_failed: record_pending: ")
    assert not list(tmp_path.glob("out-1.jsonl*"))  # nothing published, nothing half

    after = run_crawl(tmp_path, output="out-2.jsonl", settings=settings, start_urls=start)
    assert after.returncode == 0, after.log
    assert sorted(ids_published(tmp_path)) == all_ids(6)


# --- 5. a full output disk ---------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["-O", "dataset"])
def test_a_full_output_disk_publishes_nothing_and_exits_4(
    local_site: LocalSite, tmp_path: Path, layout: str
) -> None:
    news_site(local_site, 40)
    start = f"{local_site.base_url}/fr/"
    with tmpfs(tmp_path / "outfs", "200k") as outfs:
        output = str(outfs / "out-1.jsonl") if layout == "-O" else None
        settings = {"NEWSAGG_DATA_DIR": str(outfs / "data"), "NEWSAGG_GZIP": "0"}
        filler = fill(outfs, leave=8192)
        full = run_crawl(tmp_path, output=output, settings=settings, start_urls=start)
        assert full.returncode == 4, full.log
        line = exit_line(full.log)
        assert line.startswith("newsagg: maghress: publish_failed: write_feeds: ")
        assert "No space left on device" in line
        left = sorted(p.name for p in outfs.rglob("*") if p.is_file() and p != filler)
        assert left == []  # nothing published, no half-written file
        assert "40 articles were not published" in full.log
        assert "0 articles written" in full.log

        filler.unlink()
        after = run_crawl(tmp_path, output=output, settings=settings, start_urls=start)
        assert after.returncode == 0, after.log
        if layout == "-O":
            published = [row["id"] for row in read_jsonl(outfs / "out-1.jsonl")]
        else:
            items = sorted((outfs / "data").glob("maghress/*/*.jsonl"))
            published = [row["id"] for path in items for row in read_jsonl(path)]
        assert sorted(published) == all_ids(40)


# --- 6. a full state disk ----------------------------------------------------------------------


def test_a_full_state_disk_publishes_nothing_and_exits_4(
    local_site: LocalSite, tmp_path: Path
) -> None:
    paths = news_site(local_site, 30, seconds=0.1)
    start = f"{local_site.base_url}/fr/"
    with tmpfs(tmp_path / "statefs", "1m") as statefs:
        settings = {"NEWSAGG_STATE": str(statefs / "state.sqlite3"), "CONCURRENT_REQUESTS": "2"}
        crawl = start_crawl(tmp_path, output="out-1.jsonl", settings=settings, start_urls=start)
        wait_for(lambda: any(local_site.hits(path) for path in paths))
        filler = fill(statefs)
        assert crawl.wait(timeout=60) == 4
        log = (tmp_path / "crawl.log").read_text(encoding="utf-8")
        line = exit_line(log)
        assert line.startswith("newsagg: maghress: publish_failed: record_pending: ")
        assert "full" in line
        assert not list(tmp_path.glob("out-1.jsonl*"))

        filler.unlink()
        after = run_crawl(tmp_path, output="out-2.jsonl", settings=settings, start_urls=start)
        assert after.returncode == 0, after.log
        assert sorted(ids_published(tmp_path)) == all_ids(30)


# --- 7. a state locked by another process ------------------------------------------------------


def test_a_state_locked_by_another_process_publishes_nothing_and_exits_4(
    local_site: LocalSite, tmp_path: Path
) -> None:
    paths = news_site(local_site, 6, seconds=0.3)
    start = f"{local_site.base_url}/fr/"
    state = tmp_path / "state.sqlite3"
    settings = {"NEWSAGG_STATE_BUSY_TIMEOUT": "1", "CONCURRENT_REQUESTS": "2"}
    crawl = start_crawl(tmp_path, output="out-1.jsonl", settings=settings, start_urls=start)
    wait_for(lambda: any(local_site.hits(path) for path in paths))
    holder = sqlite3.connect(state, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer's transaction, held past the timeout
    try:
        assert crawl.wait(timeout=60) == 4
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    line = exit_line((tmp_path / "crawl.log").read_text(encoding="utf-8"))
    assert line.startswith("newsagg: maghress: publish_failed: record_pending: ")
    assert "database is locked" in line
    assert not list(tmp_path.glob("out-1.jsonl*"))

    after = run_crawl(tmp_path, output="out-2.jsonl", settings=settings, start_urls=start)
    assert after.returncode == 0, after.log
    assert sorted(ids_published(tmp_path)) == all_ids(6)


# --- 8. two data directories, one state ----------------------------------------------------------


def test_two_runs_of_a_site_on_one_state_never_overlap_whatever_their_data_dirs(
    local_site: LocalSite, tmp_path: Path
) -> None:
    paths = news_site(local_site, 8)
    held = Gate()  # the first run's articles wait until the second run is over
    for n, path in enumerate(paths):
        local_site.add_dynamic(path, gated(article_html(n), held))
    start = f"{local_site.base_url}/fr/"
    first = start_crawl(
        tmp_path,
        output=None,
        settings={"NEWSAGG_DATA_DIR": str(tmp_path / "a"), "CONCURRENT_REQUESTS": "1"},
        start_urls=start,
    )
    wait_for(lambda: any(local_site.hits(path) for path in paths))
    second = run_crawl(
        tmp_path, output=None, settings={"NEWSAGG_DATA_DIR": str(tmp_path / "b")}, start_urls=start
    )
    assert first.poll() is None, "the first run was still going"
    held.open()
    assert second.returncode == 3
    lock = tmp_path / "state.sqlite3.maghress.lock"
    assert second.log.splitlines() == [
        f"newsagg: maghress: another run holds {lock}"
        f" ({lock.read_text(encoding='utf-8').strip()}); not starting"
    ]
    assert not (tmp_path / "b").exists()
    assert first.wait(timeout=60) == 0


# --- 9. replay never reaches the network -------------------------------------------------------


def test_a_replay_file_that_is_not_a_warc_exits_2_before_any_request(
    local_site: LocalSite, tmp_path: Path
) -> None:
    news_site(local_site, 2)
    bogus = tmp_path / "notes.txt"
    bogus.write_text("these are not the archives you are looking for\n", encoding="utf-8")
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    result = run_crawl(
        run_dir, output=None, replay=str(bogus), start_urls=f"{local_site.base_url}/fr/"
    )
    assert result.returncode == 2
    [line] = result.log.splitlines()
    assert line == f"newsagg: error: replay: {bogus}: not a WARC archive (no WARC record in it)"
    assert local_site.requests == []
    assert list(run_dir.iterdir()) == []


def test_a_replay_rejects_what_the_archive_lacks_and_never_fetches_it(
    local_site: LocalSite, tmp_path: Path
) -> None:
    base = local_site.base_url
    archive = tmp_path / "partial.warc.gz"
    pages = {
        "/robots.txt": b"User-agent: *\nAllow: /\n",
        "/fr/": listing_html([article_path(0), article_path(1)]).encode(),
        article_path(0): article_html(0).encode(),
    }
    with archive.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for path, body in pages.items():
            fields = [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(body))),
            ]
            headers = StatusAndHeaders("200 OK", fields, protocol="HTTP/1.1")
            record = writer.create_warc_record(
                base + path,
                "response",
                payload=io.BytesIO(body),
                length=len(body),
                http_headers=headers,
            )
            writer.write_record(record)
    local_site.add(article_path(1), article_html(1))  # live, but a replay must not ask for it
    result = run_crawl(tmp_path, replay=str(archive), start_urls=f"{base}/fr/")
    assert result.returncode == 0, result.log
    assert [r["id"] for r in result.records] == ["maghress:lopinion:1000"]
    assert [(r["url"], r["reason"]) for r in result.rejects] == [
        (base + article_path(1), "not_archived")
    ]
    assert local_site.requests == []


# --- 10. a dead start listing -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "problem"),
    [
        ("404", "failed: HTTP 404 after retries"),
        ("500", "failed: HTTP 500 after retries"),
        ("429", "failed: HTTP 429 after retries"),
        ("hang", "failed: DownloadTimeoutError: Getting "),
        ("no links", "answered without any article link"),
    ],
)
def test_a_start_listing_that_fails_or_shows_no_article_exits_15(
    local_site: LocalSite, tmp_path: Path, case: str, problem: str
) -> None:
    start = f"{local_site.base_url}/fr/nosuchoutlet"
    if case in ("500", "429"):
        local_site.add("/fr/nosuchoutlet", "busy", status=int(case), content_type="text/plain")
    elif case == "hang":
        local_site.add_dynamic("/fr/nosuchoutlet", slow(listing_html([article_path(1)]), 3))
    elif case == "no links":
        local_site.add("/fr/nosuchoutlet", listing_html([]))
    settings = {"DOWNLOAD_TIMEOUT": "1", "RETRY_TIMES": "1"}
    result = run_crawl(tmp_path, output=None, settings=settings, start_urls=start)
    assert result.returncode == 15, result.log
    line = exit_line(result.log)
    assert line.startswith(f"newsagg: maghress: start_listings: start listing {start} {problem}")
    assert line.endswith("; exit 15")


# --- a redirect off the crawl's hosts ----------------------------------------------------------


def test_a_redirect_to_another_host_is_a_reject_and_that_host_hears_nothing(
    local_site: LocalSite, tmp_path: Path
) -> None:
    with serving(LocalSite()) as elsewhere:
        elsewhere.add("/internal/secret", article_html(7))
        paths = news_site(local_site, 2)
        local_site.redirect(paths[1], f"{elsewhere.base_url}/internal/secret", status=302)
        result = run_crawl(tmp_path, start_urls=f"{local_site.base_url}/fr/")
    assert result.returncode == 0, result.log
    assert [r["id"] for r in result.records] == ["maghress:lopinion:1000"]
    assert [(r["url"], r["reason"]) for r in result.rejects] == [
        (f"{elsewhere.base_url}/internal/secret", "offsite_redirect")
    ]
    assert elsewhere.requests == []  # not the page, not its robots.txt


# --- counts with one meaning, -O reruns, late errors ---------------------------------------------


def test_copies_are_counted_once_decided_the_same_in_log_table_manifest_and_stats(
    local_site: LocalSite, tmp_path: Path
) -> None:
    paths = news_site(local_site, 3)
    local_site.add(paths[2], article_html(0))  # 1002 is an exact copy of 1000
    result = run_crawl(tmp_path, output=None, start_urls=f"{local_site.base_url}/fr/")
    assert result.returncode == 0, result.log
    assert [r["duplicate_of"] for r in sorted(result.records, key=lambda r: r["id"])] == [
        None,
        None,
        local_site.base_url + paths[0],
    ]
    assert "copies: 1 exact, 0 near" in result.log
    assert "  duplicates          1" in result.log
    assert "'newsagg/duplicates': 1," in result.log
    assert "3 articles written" in result.log
    [manifest_path] = (tmp_path / "data").glob("maghress/*/*.manifest.json")
    counts = json.loads(manifest_path.read_text(encoding="utf-8"))["counts"]
    assert (counts["items"], counts["duplicates"], counts["duplicates_by_kind"]) == (
        3,
        1,
        {"exact": 1},
    )
    with gzip.open(next((tmp_path / "data").glob("maghress/*/*.jsonl.gz")), "rt") as items:
        assert sum(1 for _ in items) == counts["items"]


def test_overwriting_an_o_file_while_the_state_knows_the_site_is_a_warning(
    local_site: LocalSite, tmp_path: Path
) -> None:
    news_site(local_site, 2)
    start = f"{local_site.base_url}/fr/"
    first = run_crawl(tmp_path, output="out.jsonl", start_urls=start)
    assert first.returncode == 0, first.log
    assert "overwritten" not in first.log
    assert not (tmp_path / "data").exists()  # -O runs write no dataset directory, no lock there
    second = run_crawl(tmp_path, output="out.jsonl", start_urls=start)
    assert second.returncode == 0, second.log
    assert (
        f"WARNING: {tmp_path / 'out.jsonl'}: overwritten; it will hold only the articles new"
        " since the state's 2 maghress articles (use the dataset layout, or a dated name such"
        " as -O out-%(run_date)s.jsonl, to keep every run's)"
    ) in second.log
    assert read_jsonl(tmp_path / "out.jsonl") == []


def test_an_error_logged_after_the_verdict_fails_a_healthy_run(
    local_site: LocalSite, tmp_path: Path
) -> None:
    news_site(local_site, 2)
    extensions = json.dumps({**EXTENSIONS, "tests.late_error.LateError": 900})
    result = run_crawl(
        tmp_path, settings={"EXTENSIONS": extensions}, start_urls=f"{local_site.base_url}/fr/"
    )
    assert result.returncode == 10, result.log
    assert "health: ok (exit code 0)" in result.log
    assert exit_line(result.log) == (
        "newsagg: maghress: ERROR logged after the verdict (tests.late_error: the engine"
        " stopped badly); exit 10"
    )
