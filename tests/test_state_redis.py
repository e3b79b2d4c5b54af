"""The Redis state store (NEWSAGG_BACKEND=redis) keeps the StateStore promises the SQLite file
keeps, on a real redis-server."""

from __future__ import annotations

import pytest

from newsagg.errors import StateError
from newsagg.state.redis import RedisStateStore, masked
from newsagg.state.store import ListingRecord, RunFile, RunJournal, StoredArticle
from tests.redis_server import RedisServer, free_port, redis_server  # noqa: F401
from tests.test_state_store import T1, T2, commit, record


def open_store(server: RedisServer) -> RedisStateStore:
    return RedisStateStore.open(server.url)


def test_recorded_articles_are_found_by_id_alias_and_hash_after_reconnecting(
    redis_server: RedisServer,  # noqa: F811
) -> None:
    store = open_store(redis_server)
    commit(
        store,
        [
            record(1, aliases=("https://www.maghress.com/fr/old/9",)),
            record(2, content_hash="hash1", duplicate_of=record(1).url),
        ],
    )
    store.close()
    store = open_store(redis_server)
    assert (store.count("maghress"), store.count("turess"), store.count()) == (2, 0, 2)
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
    assert store.article("maghress", "maghress:lopinion:7") is None
    links = {
        "http://127.0.0.1:8000/fr/lopinion/1": "maghress:lopinion:1",
        "https://www.maghress.com/fr/old/9": "maghress:old:9",
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


def test_update_keeps_first_seen_and_replaces_the_band_keys_and_hash(
    redis_server: RedisServer,  # noqa: F811
) -> None:
    store = open_store(redis_server)
    commit(store, [record(1, signature=b"\1\0\0\0", text=b"t1", band_keys=(11, -12))], run_id="r1")
    commit(
        store,
        [record(1, seen_at=T2, content_hash="new", signature=b"\2\0\0\0", band_keys=(13,))],
        run_id="r2",
    )
    article = store.article("maghress", "maghress:lopinion:1")
    assert article is not None
    assert (article.first_seen, article.last_seen, article.content_hash) == (T1, T2, "new")
    assert store.with_hash("maghress", "hash1", "x") == []
    assert store.near_candidates("maghress", [11, -12], exclude_id="x") == []
    [candidate] = store.near_candidates("maghress", [13, 99], exclude_id="x")
    assert (candidate.article.id, candidate.signature, candidate.text) == (
        "maghress:lopinion:1",
        b"\2\0\0\0",
        None,
    )
    assert store.near_candidates("maghress", [13], exclude_id="maghress:lopinion:1") == []
    commit(store, [record(1, seen_at="2026-11-27T02:00:00Z", touch_only=True)], run_id="r3")
    touched = store.article("maghress", "maghress:lopinion:1")
    assert touched is not None
    assert (touched.last_seen, touched.content_hash) == ("2026-11-27T02:00:00Z", "new")


def test_a_failed_journal_writes_nothing(redis_server: RedisServer) -> None:  # noqa: F811
    store = open_store(redis_server)

    def records() -> object:
        yield record(1)
        raise OSError("the disk of the process that builds the rows failed")

    with pytest.raises(OSError, match="failed"):
        store.begin_run(RunJournal("r1", "maghress", "pending", ()), records())  # type: ignore[arg-type]
    assert store.count() == 0
    assert store.unfinished_runs("maghress") == []


def test_a_journaled_run_is_invisible_until_committed(redis_server: RedisServer) -> None:  # noqa: F811
    store = open_store(redis_server)
    files = (RunFile("items", "/d/out.jsonl", "/d/out.jsonl.partial", "ab" * 32, 10, 1),)
    journal = RunJournal("r1", "maghress", "pending", files, '{"run_id": "r1"}', "/d/m", "/d/l")
    listing = ListingRecord("maghress", "https://www.maghress.com/fr/", ("maghress:x:1",))
    assert store.begin_run(journal, [record(1, band_keys=(5, 6))], [listing]) == 1
    assert store.count() == 0
    assert store.frontier("maghress", listing.url) is None
    with pytest.raises(StateError, match="run r1 is already journaled"):
        store.begin_run(journal, [])
    store.close()

    store = open_store(redis_server)
    assert store.unfinished_runs("maghress") == [journal]
    assert store.unfinished_runs("turess") == []
    assert store.commit_run("r1") == 1
    assert store.count("maghress") == 1
    assert store.frontier("maghress", listing.url) == ("maghress:x:1",)
    assert [r.status for r in store.unfinished_runs("maghress")] == ["committed"]
    store.finish_run("r1")
    assert store.unfinished_runs("maghress") == []
    assert store.commit_run("unknown") == 0


def test_a_discarded_run_leaves_the_state_as_it_was(redis_server: RedisServer) -> None:  # noqa: F811
    store = open_store(redis_server)
    store.begin_run(RunJournal("r1", "maghress", "pending", ()), [record(1)])
    store.discard_run("r1")
    assert store.count() == 0
    assert store.unfinished_runs("maghress") == []
    assert store.commit_run("r1") == 0


def test_listing_frontiers_are_kept_until_a_run_finishes_the_listing(
    redis_server: RedisServer,  # noqa: F811
) -> None:
    store = open_store(redis_server)
    listing = "https://www.maghress.com/fr/"
    frontier = ("maghress:lopinion:3465000", "maghress:lematin:12")
    commit(store, [], [ListingRecord("maghress", listing, frontier)], run_id="r1")
    assert store.frontier("maghress", listing) == frontier
    assert store.frontier("turess", listing) is None
    commit(store, [], [ListingRecord("maghress", listing, None)], run_id="r2")
    assert store.frontier("maghress", listing) is None


def test_rebuild_index_recomputes_band_keys_from_signatures(
    redis_server: RedisServer,  # noqa: F811
) -> None:
    store = open_store(redis_server)
    assert store.index_params() is None
    commit(store, [record(1, signature=b"\7\0\0\0", band_keys=(1,)), record(2)])
    assert store.rebuild_index("v2", lambda site, sig: (len(site), sig[0])) == 1
    assert store.index_params() == "v2"
    assert [c.article.num for c in store.near_candidates("maghress", [8], "x")] == [1]
    assert store.near_candidates("maghress", [1], "x") == []


def test_a_server_that_does_not_answer_is_named(tmp_path: object) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    with pytest.raises(StateError, match=f"^state {url}: cannot be opened: .*Connection refused"):
        RedisStateStore.open(url, timeout=2)


def test_a_state_of_another_schema_is_refused_and_left_alone(
    redis_server: RedisServer,  # noqa: F811
) -> None:
    redis_server.client().hset("newsagg:state:meta", "schema", "9")
    with pytest.raises(StateError, match="schema version 9, this newsagg reads 1"):
        open_store(redis_server)
    assert redis_server.client().hget("newsagg:state:meta", "schema") == b"9"


def test_passwords_are_masked_in_messages() -> None:
    assert masked("redis://:secret@host:6379/0") == "redis://:***@host:6379/0"
    assert masked("redis://user:secret@host/1") == "redis://user:***@host/1"
    assert masked("redis://host/1") == "redis://host/1"
