"""Decide, for each article of a run, whether it is new, a copy (exact or near) of another,
an update of an article written before, or nothing new; and what the state then records.

The state is read as the run found it (nothing is written before the run's output is in
place), so what is looked up per article when it arrives is final. Within the run, the
canonical copy of a text is, whatever order the crawl met them in (`canonical_order`): the
earliest `published` day; on a tie, a news agency's copy (the profile's `news_agencies`); then
the lowest numeric id within one outlet; then the smallest id. Ids are each outlet's own, so
the numbers of two outlets are never compared. `resolve()` takes the run's articles in that
order once the crawl is done. A text already written by an earlier run keeps that copy as
canonical, even when today's crawl found an earlier one: its record is already out.

Near-copies: the LSH bands of the MinHash signatures find candidates (from
`CANDIDATE_MARGIN` below the threshold); the exact Jaccard of the two texts' 5-word shingle
sets decides, so a pair at 0.805 with a 0.8 threshold is a copy every time, at 0.795 never.

Memory: every article of the run waits for `resolve()`, so what one costs is paid per article
for the whole run. An `Entry` keeps only what deciding and recording need: strings, and the
outcome of its state lookups as flags and canonical URLs, not the stored rows. The MinHash
values and band keys of the run's texts live in `Fingerprints`, one row per distinct text:
the keys in large blocks, the signatures (512 bytes each, rarely read before recording) in a
temporary file; not two small numpy arrays per article (an object and a malloc'd buffer each,
which stayed scattered through the heap)."""

from __future__ import annotations

import logging
import tempfile
import weakref
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeAlias

import numpy as np

from newsagg.dedupe.fingerprint import MinHasher, from_bytes, to_bytes
from newsagg.items import Article
from newsagg.pipelines.ahead import Ahead
from newsagg.state.store import SeenRecord, StateStore, StoredArticle

logger = logging.getLogger(__name__)

NO_ROW = -1  # an entry without a MinHash signature (no body, or none needed)
# A text's MinHash values (uint32), band keys and compressed normalized text.
Fingerprint: TypeAlias = tuple[np.ndarray, Sequence[int], bytes]


class Outcome(StrEnum):
    NEW = "new"
    UPDATED = "updated"  # same id as an article written before, different text
    UNCHANGED = "unchanged"  # same id, same text: nothing to write
    REPEATED = "repeated"  # the same id twice in one run (two URLs, one article)


class Policy(StrEnum):
    MARK = "mark"  # write copies with `duplicate_of` set
    DROP = "drop"  # count and record copies, do not write them


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    duplicate_of: str | None = None  # canonical URL, for a copy
    kind: str | None = None  # "exact" or "near", for a copy
    write: bool = True


@dataclass(slots=True)
class Entry:
    """One article of the run: what the state said about it when it arrived."""

    index: int  # arrival order among the run's entries; -1 until admitted
    id: str
    num: int
    url: str
    content_hash: str | None
    published: str | None
    aliases: tuple[str, ...]
    stored: bool  # an earlier run wrote this id...
    unchanged: bool  # ...with this very text
    stored_exact: str | None  # canonical URL of another stored article with the same text
    stored_near: str | None  # canonical URL of the first stored near-copy (canonical order)
    row: int = NO_ROW  # its text's row in `Fingerprints`
    decision: Decision | None = None
    canonical: str = ""  # URL a copy of this entry points to
    registered: bool = False  # decided, and a copy of it points to `canonical`

    def requested_by(self, url: str | None) -> None:
        """The URL the article was requested by: kept as an alias when a redirect moved it."""
        if url and url != self.url:
            self.aliases = (url,)


class Fingerprints:
    """The run's texts, one row each: band keys (int64) in memory, in blocks of `BLOCK` rows
    (the band index needs them all); MinHash signatures (uint32) and compressed normalized
    texts in temporary files, read back only to check a candidate that shares a band, and when
    recording. No numpy object per article, and growing copies nothing."""

    BLOCK = 4096  # rows: 800 KB of keys at 25 bands

    def __init__(self, num_perm: int, bands: int) -> None:
        self.num_perm, self.bands = num_perm, bands
        self.row_bytes = num_perm * 4
        self.keys: list[np.ndarray] = []
        self.count = 0
        self.text_starts = array("q", [0])  # row i's text is text_starts[i]:text_starts[i+1]
        # Unbuffered: a row is readable as soon as it is written. Closed when this object
        # goes, explicitly, so no ResourceWarning.
        self.file = tempfile.TemporaryFile(prefix="newsagg-signatures-", buffering=0)  # noqa: SIM115
        self.texts = tempfile.TemporaryFile(prefix="newsagg-texts-", buffering=0)  # noqa: SIM115
        weakref.finalize(self, self.file.close)
        weakref.finalize(self, self.texts.close)

    def add(self, signature: np.ndarray, keys: Sequence[int], text: bytes) -> int:
        block, offset = divmod(self.count, self.BLOCK)
        if block == len(self.keys):
            self.keys.append(np.empty((self.BLOCK, self.bands), dtype=np.int64))
        self.keys[block][offset] = keys
        self.file.seek(self.count * self.row_bytes)
        self.file.write(to_bytes(signature))
        self.texts.seek(self.text_starts[-1])
        self.texts.write(text)
        self.text_starts.append(self.text_starts[-1] + len(text))
        self.count += 1
        return self.count - 1

    def signature_bytes(self, row: int) -> bytes:
        self.file.seek(row * self.row_bytes)
        return self.file.read(self.row_bytes)

    def signature(self, row: int) -> np.ndarray:
        return from_bytes(self.signature_bytes(row))

    def text(self, row: int) -> bytes:
        start, end = self.text_starts[row], self.text_starts[row + 1]
        self.texts.seek(start)
        return self.texts.read(end - start)

    def band_keys(self, row: int) -> np.ndarray:
        block, offset = divmod(row, self.BLOCK)
        return self.keys[block][offset]

    def band_keys_of(self, rows: np.ndarray) -> np.ndarray:
        """The band keys of these rows, shape (len(rows), bands)."""
        if not self.count:
            return np.empty((0, self.bands), dtype=np.int64)
        used = np.concatenate(self.keys)  # one copy, only while `resolve()` builds its index
        return used[rows]


def text_fingerprint(hasher: MinHasher, site: str, body: str | None) -> Fingerprint | None:
    """A body's fingerprint: its MinHash values, their LSH band keys for the site, its
    compressed normalized text; None for an empty body."""
    found = hasher.fingerprint(body)
    if found is None:
        return None
    signature, text = found
    return signature, hasher.band_keys(site, signature), text


def canonical_order(
    published: str | None, article_id: str, agencies: frozenset[str]
) -> tuple[str, bool, str, int]:
    """The sort key of a copy: the first in this order is the canonical one (module doc)."""
    _, slug, number = article_id.rsplit(":", 2)
    return (published or "~", slug not in agencies, slug, int(number))


@dataclass(slots=True)
class Deduplicator:
    """The run's articles for one site, against the state."""

    store: StateStore
    hasher: MinHasher
    site: str
    policy: Policy = Policy.MARK
    agencies: frozenset[str] = frozenset()  # the site's news agencies' outlet slugs
    # The state held no article of the site when the run started: every lookup would find
    # nothing (the state is read as the run found it), so none is made.
    state_empty: bool = False
    entries: list[Entry] = field(default_factory=list)
    fingerprints: Fingerprints = field(init=False)
    _hashes: dict[str, Entry] = field(default_factory=dict)  # first (lowest id) per text
    _ids: set[str] = field(default_factory=set)  # ids already decided in this run
    # Row of each text met so far: an exact copy in the run reuses it, not recomputes it.
    _rows: dict[str, int] = field(default_factory=dict)
    # Fingerprints computed ahead by other processes (re-extraction workers), by content hash:
    # the fingerprint is a function of the normalized text, which the hash names.
    _offered: Ahead[str, Fingerprint] = field(default_factory=Ahead)

    def __post_init__(self) -> None:
        self.fingerprints = Fingerprints(self.hasher.num_perm, self.hasher.bands)

    def add(self, item: Article, requested_url: str | None = None) -> Entry:
        """Look the article up in the state as it arrives, fingerprint it and admit it; decide
        later. (The item pipeline's dedupe stage does the first two, its holder the third.)"""
        entry = self.look_up(item)
        entry.requested_by(requested_url)
        self.fingerprint(entry, item)
        return self.admit(entry)

    def look_up(self, item: Article) -> Entry:
        """The entry of an arriving article, with what the state says of its id and text; not
        yet one of the run's (`admit`)."""
        num = int(item.id.rsplit(":", 1)[1])
        previous: StoredArticle | None = None
        same: list[StoredArticle] = []
        if not self.state_empty:
            previous, same = self.store.arrival(self.site, item.id, item.content_hash)
        stored_exact = min(
            same,
            key=lambda a: (a.duplicate_of is not None, self._stored_order(a)),
            default=None,
        )
        unchanged = previous is not None and previous.content_hash == item.content_hash
        return Entry(
            index=-1,
            id=item.id,
            num=num,
            url=item.url,
            content_hash=item.content_hash,
            published=item.published,
            aliases=(),
            stored=previous is not None,
            unchanged=unchanged,
            stored_exact=stored_exact.canonical_url if stored_exact is not None else None,
            stored_near=None,
        )

    def admit(self, entry: Entry) -> Entry:
        """A looked-up, fingerprinted entry made one of the run's, in arrival order."""
        entry.index = len(self.entries)
        self.entries.append(entry)
        return entry

    def fingerprint(self, entry: Entry, item: Article) -> None:
        """MinHash the text and find its nearest stored copy (not needed for an unchanged
        article, nor for a text the state holds exactly)."""
        if entry.unchanged or entry.stored_exact is not None:
            return
        entry.row = self._row(item)
        if entry.row != NO_ROW:
            entry.stored_near = self._stored_near(entry)

    def adopt(self, entry: Entry, fingerprint: Fingerprint | None) -> Entry:
        """An entry looked up and fingerprinted by another process (a worker of a shared run),
        with its text's signature, band keys and compressed text: added, undecided, as if it
        had arrived here last (`add`)."""
        entry.index, entry.row, entry.decision = len(self.entries), NO_ROW, None
        entry.canonical, entry.registered = "", False
        if fingerprint is not None:
            known = self._rows.get(entry.content_hash or "")
            if known is None:
                signature, keys, text = fingerprint
                known = self.fingerprints.add(signature, keys, text)
                if entry.content_hash:
                    self._rows[entry.content_hash] = known
            entry.row = known
        self.entries.append(entry)
        return entry

    def offer(self, content_hash: str, fingerprint: Fingerprint) -> None:
        """A text's fingerprint (signature, band keys, compressed normalized text), computed
        elsewhere, for the article with this content hash when it arrives (a bounded wait:
        an offer whose article was rejected on its way is let go)."""
        if content_hash not in self._rows:  # else an exact copy of a text met before
            self._offered.offer(content_hash, fingerprint)

    def _row(self, item: Article) -> int:
        known = self._rows.get(item.content_hash or "")
        if known is not None:
            return known
        row = NO_ROW
        fingerprint = self._offered.take(item.content_hash or "")
        if fingerprint is None:
            fingerprint = text_fingerprint(self.hasher, self.site, item.body)
        if fingerprint is not None:
            row = self.fingerprints.add(*fingerprint)
        if item.content_hash:
            self._rows[item.content_hash] = row
        return row

    def _stored_near(self, entry: Entry) -> str | None:
        if self.state_empty:
            return None
        keys = self.fingerprints.band_keys(entry.row).tolist()
        candidates = self.store.near_candidates(self.site, keys, entry.id)
        if not candidates:
            return None
        signature = self.fingerprints.signature(entry.row)
        text = self.fingerprints.text(entry.row)
        matches = [
            candidate.article
            for candidate in candidates
            if self.hasher.is_near(signature, from_bytes(candidate.signature), text, candidate.text)
        ]
        first = min(matches, key=self._stored_order, default=None)
        return first.canonical_url if first is not None else None

    def _stored_order(self, article: StoredArticle) -> tuple[str, bool, str, int]:
        return canonical_order(article.published, article.id, self.agencies)

    def _order(self, entry: Entry) -> tuple[str, bool, str, int]:
        return canonical_order(entry.published, entry.id, self.agencies)

    def resolve(self) -> list[Entry]:
        """Decide every pending entry, in canonical order; returns them in that order."""
        pending = sorted(
            (entry for entry in self.entries if entry.decision is None),
            key=lambda entry: (*self._order(entry), entry.index),
        )
        bands = BandIndex(self.entries, self.fingerprints)
        for entry in pending:
            entry.decision = self._decide(entry, bands)
            entry.canonical = entry.decision.duplicate_of or entry.url
            if entry.decision.outcome in (Outcome.NEW, Outcome.UPDATED):
                self._register(entry)
        return pending

    def _decide(self, entry: Entry, bands: BandIndex) -> Decision:
        if entry.id in self._ids:
            return Decision(Outcome.REPEATED, write=False)
        self._ids.add(entry.id)
        if entry.unchanged:
            return Decision(Outcome.UNCHANGED, write=False)
        outcome = Outcome.UPDATED if entry.stored else Outcome.NEW
        duplicate_of, kind = self._copy_of(entry, bands)
        if duplicate_of is None:
            return Decision(outcome)
        return Decision(outcome, duplicate_of, kind, write=self.policy is Policy.MARK)

    def _copy_of(self, entry: Entry, bands: BandIndex) -> tuple[str | None, str | None]:
        """Canonical URL and kind of match: exact before near, earlier runs before this one."""
        if entry.stored_exact is not None:
            return entry.stored_exact, "exact"
        first = self._hashes.get(entry.content_hash or "")
        if first is not None and first.id != entry.id:
            return first.canonical, "exact"
        if entry.stored_near is not None:
            return entry.stored_near, "near"
        if entry.row == NO_ROW:
            return None, None
        best: Entry | None = None
        signature = text = None  # read from the files only if a candidate needs them
        for other in bands.sharing(entry):  # registered ones come before this one in order
            if not other.registered or other.id == entry.id:
                continue
            if best is not None and self._order(other) >= self._order(best):
                continue
            if signature is None or text is None:
                signature = self.fingerprints.signature(entry.row)
                text = self.fingerprints.text(entry.row)
            other_row = other.row
            if self.hasher.is_near(
                signature,
                self.fingerprints.signature(other_row),
                text,
                self.fingerprints.text(other_row),
            ):
                best = other
        if best is None:
            return None, None
        return best.canonical, "near"

    def _register(self, entry: Entry) -> None:
        if entry.content_hash:
            self._hashes.setdefault(entry.content_hash, entry)
        entry.registered = True

    def records(self, entries: Iterable[Entry], seen_at: str) -> Iterator[SeenRecord]:
        """What the state keeps of decided entries (written or dropped as copies), one at a
        time: a run's records, signatures included, are never all in memory at once."""
        for entry in entries:
            decision = entry.decision
            if decision is None or (decision.outcome is Outcome.REPEATED and not entry.aliases):
                continue
            base = {"site": self.site, "id": entry.id, "url": entry.url, "num": entry.num}
            if decision.outcome in (Outcome.UNCHANGED, Outcome.REPEATED):  # + the URL it came by
                yield SeenRecord(**base, seen_at=seen_at, aliases=entry.aliases, touch_only=True)
                continue
            signature, text, keys = None, None, ()
            if entry.row != NO_ROW:
                signature = self.fingerprints.signature_bytes(entry.row)
                text = self.fingerprints.text(entry.row)
                keys = tuple(self.fingerprints.band_keys(entry.row).tolist())
            yield SeenRecord(
                **base,
                seen_at=seen_at,
                content_hash=entry.content_hash,
                published=entry.published,
                duplicate_of=decision.duplicate_of,
                signature=signature,
                text=text,
                band_keys=keys,
                aliases=entry.aliases,
            )


class BandIndex:
    """Every entry's band keys in one sorted array: which entries share a band with one.
    About 24 bytes per band and entry while a run is decided, where a dict of lists took
    1.6 KB per entry for the whole run."""

    def __init__(self, entries: list[Entry], fingerprints: Fingerprints) -> None:
        self.fingerprints = fingerprints
        self.entries = [entry for entry in entries if entry.row != NO_ROW]
        rows = np.fromiter((entry.row for entry in self.entries), np.int64, len(self.entries))
        keys = fingerprints.band_keys_of(rows).ravel()  # entry i owns keys[i*bands:(i+1)*bands]
        order = np.argsort(keys, kind="stable")
        self.keys, self.owners = keys[order], order // fingerprints.bands

    def sharing(self, entry: Entry) -> list[Entry]:
        keys = self.fingerprints.band_keys(entry.row)
        starts = np.searchsorted(self.keys, keys, side="left")
        ends = np.searchsorted(self.keys, keys, side="right")
        found: set[int] = set()
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            found.update(self.owners[start:end].tolist())
        return [self.entries[i] for i in sorted(found)]
