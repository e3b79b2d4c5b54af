"""Decide, for each article of a run, whether it is new, a copy (exact or near) of another,
an update of an article written before, or nothing new; and what the state then records.

The state is read as the run found it (nothing is written before the run's output is in
place), so what is looked up per article when it arrives is final. Within the run, the
canonical copy of a text is the article with the lowest numeric id (the oldest), whatever the
order the crawl met them in: `resolve()` takes the run's articles in id order once the crawl is
done. A text already written by an earlier run keeps that first copy as canonical, even when
today's crawl found an older one: its record is already out."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from newsagg.dedupe.fingerprint import MinHasher, from_bytes, to_bytes
from newsagg.items import Article
from newsagg.state.store import SeenRecord, StateStore, StoredArticle
from newsagg.timing import Timer, no_timer

logger = logging.getLogger(__name__)

NO_KEYS = np.empty(0, dtype=np.int64)


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

    index: int  # arrival order
    id: str
    num: int
    url: str
    content_hash: str | None
    published: str | None
    aliases: tuple[str, ...]
    previous: StoredArticle | None  # the same id, from an earlier run
    stored_exact: StoredArticle | None  # another stored article with the same text
    stored_near: StoredArticle | None  # the stored near-copy with the lowest id
    signature: np.ndarray | None = None
    band_keys: np.ndarray = field(default_factory=lambda: NO_KEYS)  # int64, one per band
    decision: Decision | None = None
    canonical: str = ""  # URL a copy of this entry points to
    registered: bool = False  # decided, and a copy of it points to `canonical`


@dataclass(slots=True)
class Deduplicator:
    """The run's articles for one site, against the state."""

    store: StateStore
    hasher: MinHasher
    site: str
    policy: Policy = Policy.MARK
    timer: Timer = no_timer  # stages "state" (lookups) and "near_duplicates" (MinHash, LSH)
    entries: list[Entry] = field(default_factory=list)
    _hashes: dict[str, Entry] = field(default_factory=dict)  # first (lowest id) per text
    _ids: set[str] = field(default_factory=set)  # ids already decided in this run
    # MinHash of each text met so far: an exact copy in the run reuses it, not recomputes it.
    _signatures: dict[str, tuple[np.ndarray | None, np.ndarray]] = field(default_factory=dict)

    def add(self, item: Article, requested_url: str | None = None) -> Entry:
        """Look the article up in the state as it arrives; decide later."""
        num = int(item.id.rsplit(":", 1)[1])
        with self.timer("state"):
            previous = self.store.article(self.site, item.id)
            stored_exact = None
            if item.content_hash:
                stored_exact = self.store.first_with_hash(self.site, item.content_hash, item.id)
        entry = Entry(
            index=len(self.entries),
            id=item.id,
            num=num,
            url=item.url,
            content_hash=item.content_hash,
            published=item.published,
            aliases=(requested_url,) if requested_url and requested_url != item.url else (),
            previous=previous,
            stored_exact=stored_exact,
            stored_near=None,
        )
        unchanged = previous is not None and previous.content_hash == item.content_hash
        if not unchanged and stored_exact is None:  # a stored exact copy needs no MinHash
            with self.timer("near_duplicates"):
                entry.signature, entry.band_keys = self._signature(item)
                if entry.signature is not None:
                    entry.stored_near = self._stored_near(entry)
        self.entries.append(entry)
        return entry

    def _signature(self, item: Article) -> tuple[np.ndarray | None, np.ndarray]:
        known = self._signatures.get(item.content_hash or "")
        if known is not None:
            return known
        signature = self.hasher.signature(item.body)
        keys = NO_KEYS
        if signature is not None:  # an array, not a tuple of ints: a third of the memory
            keys = np.array(self.hasher.band_keys(self.site, signature), dtype=np.int64)
        if item.content_hash:
            self._signatures[item.content_hash] = (signature, keys)
        return signature, keys

    def _stored_near(self, entry: Entry) -> StoredArticle | None:
        assert entry.signature is not None
        matches = [
            candidate.article
            for candidate in self.store.near_candidates(
                self.site, entry.band_keys.tolist(), entry.id
            )
            if self.hasher.is_near(entry.signature, from_bytes(candidate.signature))
        ]
        return min(matches, key=lambda article: (article.num, article.id), default=None)

    def resolve(self) -> list[Entry]:
        """Decide every pending entry, in numeric id order; returns them in that order."""
        pending = sorted(
            (entry for entry in self.entries if entry.decision is None),
            key=lambda entry: (entry.num, entry.id, entry.index),
        )
        bands = BandIndex(self.entries)
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
        previous = entry.previous
        if previous is not None and previous.content_hash == entry.content_hash:
            return Decision(Outcome.UNCHANGED, write=False)
        outcome = Outcome.NEW if previous is None else Outcome.UPDATED
        duplicate_of, kind = self._copy_of(entry, bands)
        if duplicate_of is None:
            return Decision(outcome)
        return Decision(outcome, duplicate_of, kind, write=self.policy is Policy.MARK)

    def _copy_of(self, entry: Entry, bands: BandIndex) -> tuple[str | None, str | None]:
        """Canonical URL and kind of match: exact before near, earlier runs before this one."""
        if entry.stored_exact is not None:
            return entry.stored_exact.canonical_url, "exact"
        first = self._hashes.get(entry.content_hash or "")
        if first is not None and first.id != entry.id:
            return first.canonical, "exact"
        if entry.stored_near is not None:
            return entry.stored_near.canonical_url, "near"
        if entry.signature is None:
            return None, None
        best: Entry | None = None
        for other in bands.sharing(entry):  # registered ones come before this one in id order
            if not other.registered or other.id == entry.id:
                continue
            assert other.signature is not None
            if self.hasher.is_near(entry.signature, other.signature) and (
                best is None or (other.num, other.id) < (best.num, best.id)
            ):
                best = other
        if best is None:
            return None, None
        return best.canonical, "near"

    def _register(self, entry: Entry) -> None:
        if entry.content_hash:
            self._hashes.setdefault(entry.content_hash, entry)
        entry.registered = True

    def records(self, entries: list[Entry], seen_at: str) -> list[SeenRecord]:
        """What the state keeps of decided entries (written or dropped as copies)."""
        records = []
        for entry in entries:
            decision = entry.decision
            if decision is None or (decision.outcome is Outcome.REPEATED and not entry.aliases):
                continue
            base = {"site": self.site, "id": entry.id, "url": entry.url, "num": entry.num}
            if decision.outcome in (Outcome.UNCHANGED, Outcome.REPEATED):  # + the URL it came by
                records.append(
                    SeenRecord(**base, seen_at=seen_at, aliases=entry.aliases, touch_only=True)
                )
                continue
            records.append(
                SeenRecord(
                    **base,
                    seen_at=seen_at,
                    content_hash=entry.content_hash,
                    published=entry.published,
                    duplicate_of=decision.duplicate_of,
                    signature=to_bytes(entry.signature) if entry.signature is not None else None,
                    band_keys=tuple(entry.band_keys.tolist()),
                    aliases=entry.aliases,
                )
            )
        return records


class BandIndex:
    """Every entry's band keys in one sorted array: which entries share a band with one.
    About 30 bytes per band and entry while a run is decided, where a dict of lists took
    1.6 KB per entry for the whole run."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = [entry for entry in entries if len(entry.band_keys)]
        if not self.entries:
            self.keys, self.owners = NO_KEYS, np.empty(0, dtype=np.int64)
            return
        keys = np.concatenate([entry.band_keys for entry in self.entries])
        owners = np.repeat(np.arange(len(self.entries)), [len(e.band_keys) for e in self.entries])
        order = np.argsort(keys, kind="stable")
        self.keys, self.owners = keys[order], owners[order]

    def sharing(self, entry: Entry) -> list[Entry]:
        starts = np.searchsorted(self.keys, entry.band_keys, side="left")
        ends = np.searchsorted(self.keys, entry.band_keys, side="right")
        found: set[int] = set()
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            found.update(self.owners[start:end].tolist())
        return [self.entries[i] for i in sorted(found)]
