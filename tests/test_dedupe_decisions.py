"""MinHash fingerprints and the run's decisions, on a real SQLite state under tmp_path."""

from __future__ import annotations

import itertools
import random
import secrets
from pathlib import Path

import numpy as np
import pytest

from newsagg.dedupe.entry import Decision, Outcome, Policy
from newsagg.dedupe.fingerprint import MinHasher
from newsagg.dedupe.resolve import Deduplicator
from newsagg.dedupe.run_texts import RunTexts
from newsagg.extract.article import Extraction
from newsagg.items import Article
from newsagg.pipelines.ahead import HELD, Ahead
from newsagg.pipelines.clean import CleanPipeline, content_hash
from newsagg.reextract.pages import body_ahead
from newsagg.sites.profiles import load_profile
from newsagg.state.store import RunJournal, open_state_store
from tests.newsroom import body, edit_two_sentences, new_lead

HASHER = MinHasher.create(threshold=0.8, num_perm=128)
BASE = "https://www.maghress.com/fr"
AGENCIES = load_profile("maghress").news_agencies  # {"map"}


def article(
    num: int, paragraphs: list[str], slug: str = "lopinion", published: str = "2022-01-19"
) -> Article:
    text = "\n\n".join(paragraphs)
    return Article(
        id=f"maghress:{slug}:{num}",
        url=f"{BASE}/{slug}/{num}",
        site="maghress",
        source="L'opinion",
        source_slug=slug,
        source_url=None,
        title="Météo du jour",
        published=published,
        published_raw="Publié dans L'opinion le 19 - 01 - 2022",
        language="fr",
        body=text,
        author=None,
        scraped_at="2026-11-26T02:00:00Z",
        content_hash=content_hash(text),
    )


def test_lsh_parameters_favour_recall() -> None:
    # Bands for candidates from 0.6 (the threshold less CANDIDATE_MARGIN); the exact Jaccard
    # decides at 0.8.
    assert (HASHER.bands, HASHER.rows) == (25, 5)
    assert HASHER.params == "minhash=affine32 seed=1 shingle=5 num_perm=128 bands=25x5"


def test_signatures_stay_those_earlier_states_hold() -> None:
    """Stored signatures are only comparable with new ones made the same way: these values
    were made by the numpy MinHash that states of earlier versions were written with."""
    text = "Le gouvernement a présenté mardi son projet de budget pour la saison agricole"
    signature = HASHER.signature(text)
    assert signature is not None
    assert signature[:8].tolist() == [
        1391799576,
        399544655,
        181687443,
        338388690,
        924956251,
        252181488,
        339989350,
        462276119,
    ]


def test_signature_estimates_shingle_jaccard() -> None:
    original = "\n\n".join(body(1))
    lead = HASHER.signature("\n\n".join(new_lead(body(1), 2)))
    edited = HASHER.signature("\n\n".join(edit_two_sentences(body(1))))
    other = HASHER.signature("\n\n".join(body(2)))
    signature = HASHER.signature(original)
    assert signature is not None
    assert lead is not None
    assert edited is not None
    assert other is not None
    assert HASHER.signature(original.upper().replace(" ", "  ")).tolist() == signature.tolist()
    assert HASHER.similarity(signature, lead) >= 0.85
    assert HASHER.similarity(signature, edited) >= 0.9
    assert HASHER.similarity(signature, other) < 0.1
    assert set(HASHER.band_keys("maghress", signature)) & set(HASHER.band_keys("maghress", lead))
    assert not set(HASHER.band_keys("maghress", signature)) & set(
        HASHER.band_keys("turess", signature)
    )
    assert HASHER.signature("") is None
    assert HASHER.signature("Trois mots seulement") is not None  # fewer words than a shingle


def decide(
    tmp_path: Path,
    articles: list[Article],
    policy: Policy = Policy.MARK,
    *,
    state_empty: bool = False,
) -> dict[str, Decision | None]:
    store = open_state_store(str(tmp_path / "state.sqlite3"))
    dedupe = Deduplicator(
        store, HASHER, "maghress", policy, agencies=AGENCIES, state_empty=state_empty
    )
    for item in articles:
        dedupe.add(item)
    decided: dict[str, Decision | None] = {}
    dedupe.resolve()
    for entry in dedupe.decided():  # in id order: the first of one id is the one kept
        decided.setdefault(entry.id.rsplit(":", 1)[1], entry.decision)
    run_id = secrets.token_hex(4)
    store.begin_run(
        RunJournal(run_id, "maghress", "pending", ()),
        dedupe.records("2026-11-26T02:00:00Z"),
    )
    store.commit_run(run_id)
    store.close()
    return decided


def test_decisions_do_not_depend_on_arrival_order(tmp_path: Path) -> None:
    original = body(10)
    articles = [
        article(100, original, published="2022-01-18"),  # the earliest day: canonical
        article(104, new_lead(original, 3)),
        article(102, edit_two_sentences(original)),
        article(103, original, slug="lematin"),
        article(101, body(11)),
    ]
    copy = Decision(Outcome.NEW, f"{BASE}/lopinion/100", "near")
    expected = {
        "100": Decision(Outcome.NEW),
        "101": Decision(Outcome.NEW),
        "102": copy,
        "103": Decision(Outcome.NEW, f"{BASE}/lopinion/100", "exact"),
        "104": copy,
    }
    for number, order in enumerate(itertools.permutations(articles)):
        if number % 7:  # 18 of the 120 orders keep this fast; copies first among them
            continue
        assert decide(tmp_path / str(number), list(order)) == expected
    # A run that found the state empty makes no lookup in it, and decides the same.
    assert decide(tmp_path / "empty", articles[::-1], state_empty=True) == expected


def test_a_run_that_found_the_state_empty_asks_it_nothing(tmp_path: Path) -> None:
    store = open_state_store(str(tmp_path / "state.sqlite3"))
    store.close()  # a lookup would raise
    dedupe = Deduplicator(store, HASHER, "maghress", state_empty=True)
    dedupe.add(article(1, body(1)))
    dedupe.add(article(2, body(1)))
    dedupe.add(article(3, edit_two_sentences(body(1))))
    assert dedupe.resolve() == 3
    assert [entry.decision for entry in dedupe.decided()] == [
        Decision(Outcome.NEW),
        Decision(Outcome.NEW, f"{BASE}/lopinion/1", "exact"),
        Decision(Outcome.NEW, f"{BASE}/lopinion/1", "near"),
    ]


def test_earlier_runs_keep_their_canonical_copy(tmp_path: Path) -> None:
    original = body(20)
    assert decide(tmp_path, [article(205, original)]) == {"205": Decision(Outcome.NEW)}
    later = decide(
        tmp_path,
        [article(200, new_lead(original, 1)), article(205, original), article(209, original)],
        Policy.DROP,
    )
    first = f"{BASE}/lopinion/205"
    assert later == {
        "200": Decision(Outcome.NEW, first, "near", write=False),
        "205": Decision(Outcome.UNCHANGED, write=False),
        "209": Decision(Outcome.NEW, first, "exact", write=False),
    }


def test_changed_body_is_an_update_and_the_same_id_twice_is_one_article(tmp_path: Path) -> None:
    decide(tmp_path, [article(300, body(30))])
    changed = [*body(30), "Mise à jour."]
    again = decide(tmp_path, [article(300, changed), article(300, body(30))])
    assert again == {"300": Decision(Outcome.UPDATED)}  # the second is REPEATED: not written
    store = open_state_store(str(tmp_path / "state.sqlite3"))
    stored = store.article("maghress", "maghress:lopinion:300")
    assert stored is not None
    assert stored.content_hash == content_hash("\n\n".join([*body(30), "Mise à jour."]))


def test_records_cover_written_and_dropped_articles(tmp_path: Path) -> None:
    store = open_state_store(str(tmp_path / "state.sqlite3"))
    dedupe = Deduplicator(store, HASHER, "maghress", Policy.DROP)
    dedupe.add(article(1, body(1)), requested_url=f"{BASE}/old/1")
    dedupe.add(article(2, body(1)))
    dedupe.resolve()
    records = list(dedupe.records("2026-11-26T02:00:00Z"))
    assert [(r.id, r.duplicate_of, r.aliases) for r in records] == [
        ("maghress:lopinion:1", None, (f"{BASE}/old/1",)),
        ("maghress:lopinion:2", f"{BASE}/lopinion/1", ()),
    ]
    assert records[0].signature is not None
    assert len(records[0].band_keys) == 25
    assert records[1].signature == records[0].signature  # same text: computed once


def test_what_a_worker_computes_ahead_is_what_the_stages_take(tmp_path: Path) -> None:
    """What a re-extraction worker computes from the extracted paragraphs (before cleaning) is
    what CleanPipeline and the dedupe stage compute from the article; each stage takes an
    offer once (the cleaned body by the raw body, the fingerprint by the content hash), and
    an offer for an article that never arrives does not stay."""
    paragraphs = ("  Le  gouvernement a présenté mardi son projet &amp; ", *body(7), "")
    found = Extraction(None, None, None, None, None, paragraphs, "published_line")
    ahead = body_ahead(found, HASHER, "maghress")
    item = article(7, list(paragraphs))
    CleanPipeline().process_item(item)
    assert ahead.cleaned == (item.body, item.content_hash)
    computed = HASHER.fingerprint(item.body)
    assert computed is not None
    assert ahead.fingerprint is not None
    signature, keys, text = ahead.fingerprint
    assert signature.tolist() == computed[0].tolist()
    assert keys == HASHER.band_keys("maghress", computed[0])
    assert text == computed[1]

    cleaned: Ahead[str, tuple[str | None, str | None]] = Ahead()
    raw = "\n\n".join(paragraphs)
    cleaned.offer(raw, ("Offered body.", "offered-hash"))
    stage = CleanPipeline(cleaned)
    first, second = article(7, list(paragraphs)), article(7, list(paragraphs))
    stage.process_item(first)
    stage.process_item(second)  # the offer was taken: cleaned here
    assert (first.body, first.content_hash) == ("Offered body.", "offered-hash")
    assert (second.body, second.content_hash) == (item.body, item.content_hash)

    store = open_state_store(str(tmp_path / "state.sqlite3"))
    dedupe = Deduplicator(store, HASHER, "maghress")
    marker = (np.arange(128, dtype=np.uint32), list(range(25)), b"marker")
    assert item.content_hash is not None
    dedupe.offer(item.content_hash, marker)
    entry = dedupe.add(item)
    assert dedupe.texts.signature(entry.row).tolist() == list(range(128))  # the offer
    assert dedupe.texts.text(entry.row) == b"marker"
    other = dedupe.add(article(8, body(8)))  # nothing offered: computed here
    assert dedupe.texts.text(other.row) == HASHER.fingerprint(body_text(8))[1]
    for number in range(HELD + 1):
        dedupe.offer(f"{number:064x}", marker)
    assert len(dedupe._offered) == HELD
    assert f"{0:064x}" not in dedupe._offered  # the oldest let go
    assert f"{HELD:064x}" in dedupe._offered


def body_text(number: int) -> str:
    return "\n\n".join(body(number))


def test_the_canonical_copy_is_the_earliest_day_then_the_agency_then_one_outlets_lowest_id(
    tmp_path: Path,
) -> None:
    """Ids are each outlet's own: lematin:536 may be newer than hespress:77855. Across
    outlets only the day, the agency and the id string decide; the numbers compare within
    one outlet only."""
    text = body(50)
    same_day = [
        article(900000, text, slug="hespress"),
        article(536, text, slug="lematin"),
        article(1807143190, text, slug="map"),  # the agency: canonical on a tie of days
        article(535, text, slug="lematin"),
    ]
    decided = decide(tmp_path / "tie", same_day)
    agency_copy = Decision(Outcome.NEW, f"{BASE}/map/1807143190", "exact")
    assert decided == {
        "900000": agency_copy,
        "536": agency_copy,
        "1807143190": None,
        "535": agency_copy,
    } | {"1807143190": Decision(Outcome.NEW)}
    earlier = [*same_day, article(99999999, text, slug="alakhbar", published="2022-01-18")]
    first = decide(tmp_path / "earlier", earlier)
    assert first["99999999"] == Decision(Outcome.NEW)
    assert first["1807143190"] == Decision(Outcome.NEW, f"{BASE}/alakhbar/99999999", "exact")
    no_agency = [article(998, text, slug="tinjah"), article(1004, text, slug="tinjah")]
    assert decide(tmp_path / "outlet", no_agency)["1004"] == Decision(
        Outcome.NEW, f"{BASE}/tinjah/998", "exact"
    )  # within one outlet, the lowest number (though "1004" < "998" as strings)
    strings = [article(488377, text, slug="elkhabar"), article(91244, text, slug="ennahar")]
    assert decide(tmp_path / "strings", strings)["91244"] == Decision(
        Outcome.NEW, f"{BASE}/elkhabar/488377", "exact"
    )  # two outlets, no agency: the smallest id string


def distinct_words(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    words: dict[str, None] = {}
    while len(words) < count:
        words["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(9))] = None
    return list(words)


@pytest.mark.parametrize(("kept", "copy"), [(809, True), (799, False)])
def test_a_near_copy_is_decided_by_the_exact_jaccard_at_the_threshold(
    tmp_path: Path, kept: int, copy: bool
) -> None:
    """1004 distinct words make 1000 shingles; a copy keeping the first 809 words shares 805
    of them (Jaccard 0.805, a copy at 0.8), one keeping 799 shares 795 (0.795, not one)."""
    words = distinct_words(1004, seed=kept)
    original = article(1, [" ".join(words)], published="2022-01-18")
    shorter = article(2, [" ".join(words[:kept])])
    decided = decide(tmp_path, [shorter, original])
    expected = (
        Decision(Outcome.NEW, f"{BASE}/lopinion/1", "near") if copy else Decision(Outcome.NEW)
    )
    assert decided["2"] == expected


@pytest.mark.parametrize(("threshold", "num_perm"), [(0.0, 128), (1.5, 128), (0.8, 8)])
def test_bad_minhash_settings_are_refused(threshold: float, num_perm: int) -> None:
    with pytest.raises(ValueError, match="must be"):
        MinHasher.create(threshold, num_perm)


def test_the_run_texts_read_back_each_row_as_written() -> None:
    """Rows of different text lengths (an empty one too), read back in any order."""
    texts = RunTexts(num_perm=128, bands=25)
    written = []
    for number, text in enumerate([b"premier", b"", b"x" * 70_000, "النص".encode()]):
        signature = np.arange(number, number + 128, dtype=np.uint32)
        keys = [number * 1000 + band - 2**62 for band in range(25)]
        written.append((texts.add(signature, keys, text), signature, keys, text))
    for row, signature, keys, text in reversed(written):
        assert texts.signature(row).tolist() == signature.tolist()
        assert texts.signature_bytes(row) == signature.astype("<u4").tobytes()
        assert texts.band_keys(row) == keys
        assert texts.text(row) == text
        both = texts.signature_and_text(row)
        assert (both[0].tolist(), both[1]) == (signature.tolist(), text)
    assert [row for row, *_ in written] == [0, 1, 2, 3]
