"""The SQLite seen-store, on real files under tmp_path."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from newsagg.errors import StateError
from newsagg.state.sqlite import SqliteStateStore
from newsagg.state.store import (
    IN_MEMORY,
    ListingRecord,
    RunFile,
    RunJournal,
    SeenRecord,
    StateStore,
    StoredArticle,
    default_state_path,
    open_state_store,
    state_location,
)

T1, T2 = "2026-11-25T02:00:00Z", "2026-11-26T02:00:00Z"


def record(num: int, **fields: object) -> SeenRecord:
    values: dict[str, object] = {
        "site": "maghress",
        "id": f"maghress:lopinion:{num}",
        "url": f"https://www.maghress.com/fr/lopinion/{num}",
        "num": num,
        "seen_at": T1,
        "content_hash": f"hash{num}",
        "published": "2022-01-19",
    }
    values.update(fields)
    return SeenRecord(**values)  # type: ignore[arg-type]


def commit(store: StateStore, records: object, listings: object = (), run_id: str = "r1") -> int:
    """One run through the journal: pending, then committed."""
    store.begin_run(RunJournal(run_id, "maghress", "pending", ()), records, listings)  # type: ignore[arg-type]
    return store.commit_run(run_id)


def test_new_file_is_created_in_wal_mode_with_its_directory(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "state.sqlite3"
    store = open_state_store(str(path))
    assert store.count() == 0
    store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == ("3",)


def test_recorded_articles_are_found_by_id_alias_and_hash_after_reopening(tmp_path: Path) -> None:
    path = str(tmp_path / "state.sqlite3")
    store = open_state_store(path)
    commit(
        store,
        [
            record(1, aliases=("https://www.maghress.com/fr/old/9",)),
            record(2, content_hash="hash1", duplicate_of=record(1).url),
        ],
    )
    store.close()
    store = open_state_store(path)
    assert store.count("maghress") == 2
    assert store.count("turess") == 0
    assert store.article("maghress", "maghress:lopinion:1") == StoredArticle(
        site="maghress",
        id="maghress:lopinion:1",
        url="https://www.maghress.com/fr/lopinion/1",
        num=1,
        content_hash="hash1",
        published="2022-01-19",
        first_seen=T1,
        last_seen=T1,
        duplicate_of=None,
    )
    links = {
        "http://127.0.0.1:8000/fr/lopinion/1": "maghress:lopinion:1",  # same id, mirror host
        "https://www.maghress.com/fr/old/9": "maghress:old:9",  # redirected to 1 once
        "https://www.maghress.com/fr/lopinion/3": "maghress:lopinion:3",
    }
    assert store.known("maghress", links) == set(list(links)[:2])
    assert store.known("turess", links) == set()
    [first] = store.with_hash("maghress", "hash1", exclude_id="maghress:lopinion:2")
    assert first.id == "maghress:lopinion:1"
    assert store.with_hash("maghress", "hash1", exclude_id="maghress:lopinion:1") == [
        store.article("maghress", "maghress:lopinion:2")
    ]
    one, two = (store.article("maghress", f"maghress:lopinion:{n}") for n in (1, 2))
    assert store.arrival("maghress", "maghress:lopinion:1", "hash1") == (one, [two])
    assert store.arrival("maghress", "maghress:lopinion:7", "hash1") == (None, [one, two])
    assert store.arrival("maghress", "maghress:lopinion:2", None) == (two, [])
    assert store.arrival("maghress", "maghress:lopinion:2", "nohash") == (two, [])


def test_update_keeps_first_seen_and_replaces_the_band_keys(tmp_path: Path) -> None:
    store = open_state_store(str(tmp_path / "state.sqlite3"))
    commit(store, [record(1, signature=b"\1\0\0\0", band_keys=(11, 12))], run_id="r1")
    commit(
        store,
        [record(1, seen_at=T2, content_hash="new", signature=b"\2\0\0\0", band_keys=(13,))],
        run_id="r2",
    )
    article = store.article("maghress", "maghress:lopinion:1")
    assert article is not None
    assert (article.first_seen, article.last_seen, article.content_hash) == (T1, T2, "new")
    assert store.near_candidates("maghress", [11, 12], exclude_id="x") == []
    [candidate] = store.near_candidates("maghress", [13, 99], exclude_id="x")
    assert (candidate.article.id, candidate.signature) == ("maghress:lopinion:1", b"\2\0\0\0")
    assert store.near_candidates("maghress", [13], exclude_id="maghress:lopinion:1") == []
    commit(store, [record(1, seen_at="2026-11-27T02:00:00Z", touch_only=True)], run_id="r3")
    touched = store.article("maghress", "maghress:lopinion:1")
    assert touched is not None
    assert (touched.last_seen, touched.content_hash) == ("2026-11-27T02:00:00Z", "new")


def test_a_failed_journal_writes_nothing(tmp_path: Path) -> None:
    store = open_state_store(str(tmp_path / "state.sqlite3"))

    def records() -> object:
        yield record(1)
        raise sqlite3.OperationalError("disk I/O error")

    journal = RunJournal("r1", "maghress", "pending", ())
    with pytest.raises(StateError, match="cannot journal the run: disk I/O error"):
        store.begin_run(journal, records())  # type: ignore[arg-type]
    assert store.count() == 0
    assert store.unfinished_runs("maghress") == []


def test_a_journaled_run_is_invisible_until_committed(tmp_path: Path) -> None:
    path = str(tmp_path / "state.sqlite3")
    store = open_state_store(path)
    files = (RunFile("items", "/d/out.jsonl", "/d/out.jsonl.partial", "ab" * 32, 10, 1),)
    journal = RunJournal("r1", "maghress", "pending", files, '{"run_id": "r1"}', "/d/m", "/d/l")
    listing = ListingRecord("maghress", "https://www.maghress.com/fr/", ("maghress:x:1",))
    assert store.begin_run(journal, [record(1, band_keys=(5, 6))], [listing]) == 1
    assert store.count() == 0
    assert store.frontier("maghress", listing.url) is None
    store.close()

    store = open_state_store(path)  # what a start after a kill finds
    assert store.unfinished_runs("maghress") == [journal]
    assert store.unfinished_runs("turess") == []
    assert store.commit_run("r1") == 1
    assert store.count("maghress") == 1
    assert store.frontier("maghress", listing.url) == ("maghress:x:1",)
    assert [r.status for r in store.unfinished_runs("maghress")] == ["committed"]
    store.finish_run("r1")
    assert store.unfinished_runs("maghress") == []


def test_a_discarded_run_leaves_the_state_as_it_was(tmp_path: Path) -> None:
    store = open_state_store(str(tmp_path / "state.sqlite3"))
    store.begin_run(RunJournal("r1", "maghress", "pending", ()), [record(1)])
    store.discard_run("r1")
    assert store.count() == 0
    assert store.unfinished_runs("maghress") == []


def test_listing_frontiers_are_kept_until_a_run_finishes_the_listing(tmp_path: Path) -> None:
    store = open_state_store(str(tmp_path / "state.sqlite3"))
    listing = "https://www.maghress.com/fr/"
    assert store.frontier("maghress", listing) is None
    frontier = ("maghress:lopinion:3465000", "maghress:lematin:12")
    commit(store, [], [ListingRecord("maghress", listing, frontier)], run_id="r1")
    assert store.frontier("maghress", listing) == frontier
    assert store.frontier("turess", listing) is None
    commit(store, [], [ListingRecord("maghress", listing, None)], run_id="r2")
    assert store.frontier("maghress", listing) is None


def test_a_version_1_state_is_migrated_keeping_its_articles(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    with sqlite3.connect(path) as db:
        for statement in V1_SCHEMA.split(";"):
            db.execute(statement)
        db.execute("INSERT INTO meta VALUES ('schema', '1')")
        db.execute(
            "INSERT INTO articles (site, id, url, num, first_seen, last_seen)"
            " VALUES ('maghress', 'maghress:x:1', 'u', 1, ?, ?)",
            (T1, T1),
        )
        db.execute("INSERT INTO listings VALUES ('maghress', 'https://m/fr/', 3465000, ?)", (T1,))
    db.close()
    store = open_state_store(str(path))
    assert store.count("maghress") == 1
    # A number compared ids of different outlets: an empty frontier, met by no page, instead.
    assert store.frontier("maghress", "https://m/fr/") == ()
    store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == ("3",)
    db.close()


V1_SCHEMA = """CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles (pk INTEGER PRIMARY KEY, site TEXT NOT NULL, id TEXT NOT NULL,
    url TEXT NOT NULL, num INTEGER NOT NULL, content_hash TEXT, published TEXT,
    first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, duplicate_of TEXT, signature BLOB,
    UNIQUE (site, id));
CREATE TABLE aliases (site TEXT NOT NULL, url TEXT NOT NULL, id TEXT NOT NULL,
    PRIMARY KEY (site, url)) WITHOUT ROWID;
CREATE TABLE near_index (key INTEGER NOT NULL, article INTEGER NOT NULL,
    PRIMARY KEY (key, article)) WITHOUT ROWID;
CREATE TABLE listings (site TEXT NOT NULL, url TEXT NOT NULL, frontier INTEGER NOT NULL,
    updated TEXT NOT NULL, PRIMARY KEY (site, url)) WITHOUT ROWID"""


def test_rebuild_index_recomputes_band_keys_from_signatures(tmp_path: Path) -> None:
    store = open_state_store(str(tmp_path / "state.sqlite3"))
    assert store.index_params() is None
    commit(store, [record(1, signature=b"\7\0\0\0", band_keys=(1,))])
    assert store.rebuild_index("v2", lambda site, sig: (len(site), sig[0])) == 1
    assert store.index_params() == "v2"
    assert [c.article.num for c in store.near_candidates("maghress", [8], "x")] == [1]
    assert store.near_candidates("maghress", [1], "x") == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"garbage" * 200, "cannot be opened: file is not a database"),
        (None, "not a newsagg state file (it holds notes)"),
    ],
)
def test_a_file_that_is_not_a_state_is_refused_and_left_alone(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "state.sqlite3"
    if content is None:
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE notes (text)")
        db.close()
    else:
        path.write_bytes(content)
    before = path.read_bytes()
    with pytest.raises(StateError, match="^" + re.escape(f"state {path}: {message}")):
        SqliteStateStore.open(str(path))
    assert path.read_bytes() == before


def test_a_directory_is_not_a_state_file(tmp_path: Path) -> None:
    with pytest.raises(StateError, match="not a file"):
        open_state_store(str(tmp_path))


def test_other_backends_are_named_not_guessed() -> None:
    with pytest.raises(StateError, match=r"no backend for redis://"):
        open_state_store("redis://localhost:6379/0")


def test_state_location_defaults() -> None:
    assert state_location(" /srv/state.db ") == "/srv/state.db"
    assert state_location("", replay=True) == IN_MEMORY
    assert state_location("") == str(default_state_path())
    assert default_state_path().name == "state.sqlite3"
    assert "newsagg" in default_state_path().parts
