"""The raw archive in real crawls, and re-extraction from it: a network fixture site is
crawled on 127.0.0.1 into the dataset layout (which archives every exchange), the server is
stopped, and `scrapy newsagg-reextract` makes the dataset again from the archive alone."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.conftest import (
    FIXTURES,
    REPO,
    SCRAPY,
    LocalSite,
    crawl_env,
    read_jsonl,
    run_crawl,
    serving,
)
from tests.crafted import Gate, dataset_files, gated, news_site, start_crawl, wait_for
from tests.test_network import serve

SITE = FIXTURES / "network" / "maghress"
# A fixture site has fewer articles than the rate rules need (one planted reject in 8 fails a
# 90 % fill rate); the other rules still judge every run.
SETTINGS = {"NEWSAGG_HEALTH_MIN_SAMPLE": "100", "NEWSAGG_ARCHIVE_MAX_BYTES": "6000"}


def manifest_of(data: Path) -> dict[str, Any]:
    (path,) = data.glob("maghress/*/*.manifest.json")
    return json.loads(path.read_text("utf-8"))


def archive_files(data: Path) -> list[Path]:
    return sorted(data.glob("maghress/*/*.warc.gz"))


def without_scraped_at(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["id"]: {k: v for k, v in r.items() if k != "scraped_at"} for r in records}


def reextract_command(
    tmp_path: Path, *args: str, settings: dict[str, str] | None = None
) -> list[str]:
    command = [*SCRAPY, "newsagg-reextract", *args]
    given = {"NEWSAGG_DATA_DIR": str(tmp_path / "data"), **(settings or {}), **SETTINGS}
    for name, value in given.items():
        command += ["-s", f"{name}={value}"]
    return command


def reextract(tmp_path: Path, *args: str, settings: dict[str, str] | None = None) -> Any:
    return subprocess.run(
        reextract_command(tmp_path, *args, settings=settings),
        cwd=REPO,
        env=crawl_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def archived(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One crawl of the maghress fixture into the dataset layout; the server is gone after."""
    tmp = tmp_path_factory.mktemp("archived")
    with serving(LocalSite()) as local:
        serve(local, SITE)
        result = run_crawl(tmp, output=None, settings=SETTINGS, base_url=local.base_url)
        requests = list(local.requests)
    assert result.returncode == 0, result.log
    return tmp, result, requests


def test_the_archive_is_published_with_the_run_and_listed_in_its_manifest(archived: Any) -> None:
    tmp, _, requests = archived
    files = archive_files(tmp / "data")
    assert len(files) > 1  # rotated at NEWSAGG_ARCHIVE_MAX_BYTES
    listed = [entry for entry in manifest_of(tmp / "data")["files"] if entry["kind"] == "archive"]
    assert [tmp / "data" / entry["path"] for entry in listed] == files
    for entry, path in zip(listed, files, strict=True):
        assert entry["bytes"] == path.stat().st_size
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    # Every answer the server gave is in the archive, once: robots.txt, listings, articles,
    # the 404; and the rows say how many each file holds.
    urls = []
    for path in files:
        with path.open("rb") as stream:
            urls += [
                record.rec_headers.get_header("WARC-Target-URI")
                for record in ArchiveIterator(stream)
                if record.rec_type == "response"
            ]
    base = urls[0].split("/robots.txt")[0]
    assert sorted(urls) == sorted(base + path for path in requests)
    assert sum(entry["rows"] for entry in listed) == len(requests)
    assert not list((tmp / "data").glob("**/*.partial"))


def test_each_record_names_the_response_it_came_from(archived: Any) -> None:
    tmp, result, _ = archived
    assert result.records
    for record in result.records:
        warc = record["warc"]
        (path,) = (tmp / "data").glob(f"maghress/*/{warc['file']}")
        with path.open("rb") as stream:
            stream.seek(warc["offset"])
            response = next(iter(ArchiveIterator(stream)))
            assert response.rec_type == "response"
            assert response.rec_headers.get_header("WARC-Record-ID") == warc["record_id"]
            assert response.rec_headers.get_header("WARC-Target-URI") == record["url"]
            assert record["title"] in response.content_stream().read().decode("utf-8")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_reextraction_without_the_server_gives_the_same_records(
    archived: Any, tmp_path: Path, workers: str
) -> None:
    tmp, crawl, _ = archived
    state = tmp / "state.sqlite3"
    state_before = state.read_bytes()
    pattern = str(tmp / "data" / "maghress" / "*" / "*.warc.gz")
    done = reextract(tmp_path, pattern, "--workers", workers)
    assert done.returncode == 0, done.stderr
    records = [
        row
        for path in (tmp_path / "data").glob("maghress/*/*.jsonl.gz")
        for row in read_jsonl(path)
    ]
    assert without_scraped_at(records) == without_scraped_at(crawl.records)
    # The same duplicate decisions: copies marked alike (they are in the records compared).
    assert (
        sum(1 for r in records if r["duplicate_of"])
        == sum(1 for r in crawl.records if r["duplicate_of"])
        > 0
    )
    rejects = read_jsonl(next((tmp_path / "data").glob("maghress/*/*.rejects.jsonl")))
    extraction = [r for r in crawl.rejects if not r["reason"].startswith("http_")]
    assert [(r["url"], r["reason"]) for r in rejects] == [
        (r["url"], r["reason"]) for r in extraction
    ]
    manifest = manifest_of(tmp_path / "data")
    assert manifest["run_id"] != manifest_of(tmp / "data")["run_id"]
    assert manifest["versions"]["newsagg"] == "0.1.0"
    files = archive_files(tmp / "data")
    assert [(a["path"], a["sha256"]) for a in manifest["source_archives"]] == [
        (str(path), hashlib.sha256(path.read_bytes()).hexdigest()) for path in files
    ]
    assert not [e for e in manifest["files"] if e["kind"] == "archive"]  # it fetched nothing
    assert state.read_bytes() == state_before  # the crawl state is not touched


def test_update_state_records_the_articles_in_the_state(archived: Any, tmp_path: Path) -> None:
    tmp, crawl, _ = archived
    pattern = str(tmp / "data" / "maghress" / "*" / "*.warc.gz")
    state = tmp_path / "state.sqlite3"
    done = reextract(
        tmp_path,
        pattern,
        "--update-state",
        "--workers",
        "1",
        settings={"NEWSAGG_STATE": str(state)},
    )
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(state) as db:
        (count,) = db.execute("SELECT count(*) FROM articles").fetchone()
    assert count == len(crawl.records)


def test_a_damaged_archive_is_named_and_its_intact_records_used(
    archived: Any, tmp_path: Path
) -> None:
    tmp, crawl, _ = archived
    victim = crawl.records[0]
    copies = tmp_path / "archive"
    copies.mkdir()
    for path in archive_files(tmp / "data"):
        shutil.copy(path, copies / path.name)
    damaged = copies / victim["warc"]["file"]
    data = bytearray(damaged.read_bytes())
    data[victim["warc"]["offset"] + 60] ^= 0x55  # inside the response's gzip member
    damaged.write_bytes(bytes(data))
    done = reextract(tmp_path, str(copies / "*.warc.gz"))
    assert done.returncode == 10, done.stderr
    assert f"archive damaged: {damaged}: offset {victim['warc']['offset']}: " in done.stderr
    assert "newsagg: maghress: run_failed: run did not end cleanly: 1 ERROR log line(s)" in (
        done.stderr
    )
    # Not published as healthy: the other articles are there, the damaged one is not.
    records = [r for p in (tmp_path / "data").glob("maghress/*/*.jsonl.gz") for r in read_jsonl(p)]
    assert sorted(r["id"] for r in records) == sorted(
        r["id"] for r in crawl.records if r["id"] != victim["id"]
    )


def test_a_truncated_archive_is_named_where_it_ends(archived: Any, tmp_path: Path) -> None:
    tmp, _, _ = archived
    last = archive_files(tmp / "data")[-1]
    cut = tmp_path / last.name
    cut.write_bytes(last.read_bytes()[:-50])
    done = reextract(tmp_path, str(cut))
    assert done.returncode == 10, done.stderr
    assert f"archive damaged: {cut}: offset " in done.stderr
    assert "the file ends inside this gzip member" in done.stderr


def spawned_worker(parent: int) -> int | None:
    """The pid of a multiprocessing worker spawned under `parent` (not its resource tracker)."""
    for children in Path(f"/proc/{parent}/task").glob("*/children"):
        for pid in children.read_text().split():
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:  # gone already
                continue
            if b"spawn_main" in command and b"--multiprocessing-fork" in command:
                return int(pid)
    return None


def first_spawned_worker(parent: int) -> int:
    """The pid of the worker spawned under `parent`, once there is one."""
    wait_for(lambda: spawned_worker(parent) is not None)
    worker = spawned_worker(parent)
    assert worker is not None
    return worker


def test_a_worker_process_killed_stops_the_run_unhealthy(archived: Any, tmp_path: Path) -> None:
    """The spawned process is sent the first pages; killed, they would never come back: the
    run must not wait for them for ever, and ends as any run stopped early does (what it read
    published, judged unhealthy, exit 10)."""
    tmp, _, _ = archived
    command = reextract_command(tmp_path, *map(str, archive_files(tmp / "data")), "--workers", "2")
    run = subprocess.Popen(command, cwd=REPO, env=crawl_env(), stderr=subprocess.PIPE, text=True)
    try:
        os.kill(first_spawned_worker(run.pid), signal.SIGKILL)
        _, log = run.communicate(timeout=120)
    finally:
        run.kill()
    assert run.returncode == 10, log
    [line] = [line for line in log.splitlines() if " ERROR: " in line]
    assert line.endswith(
        "ERROR: reextract: a worker process died (killed, out of memory?) before giving back"
        " its pages: the run stops there"
    )
    assert log.splitlines()[-1] == (
        "newsagg: maghress: run_failed: run did not end cleanly: finish reason 'worker_lost',"
        " 1 ERROR log line(s); exit 10"
    )
    manifest = manifest_of(tmp_path / "data")
    assert (manifest["finish_reason"], manifest["health"]["status"]) == ("worker_lost", "failed")
    (items,) = (tmp_path / "data").glob("maghress/*/*.jsonl.gz")
    [listed] = [entry for entry in manifest["files"] if entry["kind"] == "items"]
    assert listed["rows"] == len(read_jsonl(items)) == manifest["counts"]["items"]


def test_the_worker_processes_end_with_a_killed_run(archived: Any, tmp_path: Path) -> None:
    """A SIGKILL runs no cleanup in the process that spawned the workers: they end by
    themselves, not wait for ever on queues they hold both ends of."""
    tmp, _, _ = archived
    command = reextract_command(tmp_path, *map(str, archive_files(tmp / "data")), "--workers", "2")
    run = subprocess.Popen(command, cwd=REPO, env=crawl_env(), stderr=subprocess.DEVNULL)
    try:
        worker = first_spawned_worker(run.pid)
    finally:
        run.kill()
        run.wait(30)
    wait_for(lambda: ended(worker))


def ended(pid: int) -> bool:
    """Whether the process is gone (or a zombie: its new parent may never reap it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def test_arguments_it_cannot_use_are_one_line_and_exit_2(tmp_path: Path) -> None:
    done = reextract(tmp_path, str(tmp_path / "nothing-*.warc.gz"))
    assert done.returncode == 2
    assert (
        done.stderr.strip() == f"newsagg: error: {tmp_path}/nothing-*.warc.gz: no such archive file"
    )
    assert not (tmp_path / "data").exists()
    sample = str(REPO / "newsagg" / "sample" / "ress-sample.warc.gz")
    done = reextract(tmp_path, sample, "--workers", "0")
    assert (done.returncode, done.stderr.strip()) == (
        2,
        "newsagg: error: --workers: expected >= 1, got 0",
    )
    done = reextract(tmp_path, sample, settings={"NEWSAGG_BACKEND": "redis"})
    assert (done.returncode, done.stderr.strip()) == (
        2,
        "newsagg: error: NEWSAGG_BACKEND: re-extraction runs on sqlite",
    )
    assert not (tmp_path / "data").exists()


def test_o_runs_keep_no_archive_unless_asked(local_site: LocalSite, tmp_path: Path) -> None:
    news_site(local_site, 3)
    start = f"{local_site.base_url}/fr/"
    plain = run_crawl(tmp_path / "plain", start_urls=start)
    assert plain.returncode == 0, plain.log
    assert sorted(p.name for p in plain.output.parent.iterdir()) == [
        "out.jsonl",
        "out.rejects.jsonl",
        "state.sqlite3",
        "state.sqlite3.maghress.lock",
    ]
    assert [r["warc"] for r in plain.records] == [None, None, None]
    asked = run_crawl(tmp_path / "asked", start_urls=start, settings={"NEWSAGG_ARCHIVE": "1"})
    assert asked.returncode == 0, asked.log
    (archive,) = asked.output.parent.glob("*.warc.gz")
    assert {r["warc"]["file"] for r in asked.records} == {archive.name}


def test_a_kill_during_the_run_publishes_no_archive_file(
    local_site: LocalSite, tmp_path: Path
) -> None:
    paths = news_site(local_site, 6)
    gate = Gate()  # the last three articles are held until the process is gone
    for path in paths[3:]:
        local_site.add_dynamic(path, gated(local_site.routes[path][2].decode("utf-8"), gate))
    start = f"{local_site.base_url}/fr/"
    crawl = start_crawl(tmp_path, output=None, start_urls=start)
    try:
        wait_for(lambda: gate.answered >= 1)
        partials = list((tmp_path / "data").glob("maghress/*/*.warc.gz.partial"))
        crawl.send_signal(signal.SIGKILL)
        crawl.wait(30)
    finally:
        gate.open()
    assert len(partials) == 1
    assert [name for name in dataset_files(tmp_path / "data") if ".warc" in name] == [
        str(partials[0].relative_to(tmp_path / "data"))
    ]
    # The next run publishes its own archive and records; the killed run's stays unpublished.
    again = run_crawl(tmp_path, output=None, start_urls=start)
    assert again.returncode == 0, again.log
    published = archive_files(tmp_path / "data")
    assert len(published) == 1
    assert published[0].name.split("-00001")[0] in again.log
    assert len(again.records) == 6
    with gzip.open(published[0]) as stream:
        assert stream.read(8) == b"WARC/1.1"
