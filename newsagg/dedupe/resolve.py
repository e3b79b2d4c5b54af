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

Memory: every article of the run waits for `resolve()`. Its entry waits on disk
(`RunEntries`, a temporary SQLite database), its text's MinHash values, band keys and
compressed text in temporary files (`RunTexts`): a run's size changes what is on disk, not
what is in memory."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from newsagg.dedupe.entry import Decision, Entry, Outcome, Policy, canonical_order
from newsagg.dedupe.fingerprint import MinHasher, from_bytes
from newsagg.dedupe.run_entries import RunEntries
from newsagg.dedupe.run_texts import NO_ROW, Fingerprint, RunTexts, text_fingerprint
from newsagg.items import Article
from newsagg.pipelines.ahead import Ahead
from newsagg.state.store import SeenRecord, StateStore, StoredArticle

logger = logging.getLogger(__name__)

__all__ = ["NO_ROW", "Decision", "Deduplicator", "Entry", "Outcome", "Policy", "canonical_order"]


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
    entries: RunEntries = field(init=False)
    texts: RunTexts = field(init=False)
    # Fingerprints computed ahead by other processes (re-extraction workers), by content hash:
    # the fingerprint is a function of the normalized text, which the hash names.
    _offered: Ahead[str, Fingerprint] = field(default_factory=Ahead)

    def __post_init__(self) -> None:
        self.entries = RunEntries(self.agencies)
        self.texts = RunTexts(self.hasher.num_perm, self.hasher.bands)

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
        entry.index = self.entries.admit(entry)
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
        entry.row, entry.decision = NO_ROW, None
        if fingerprint is not None:
            known = self.entries.row_of(entry.content_hash) if entry.content_hash else None
            entry.row = known if known is not None else self._add_text(entry, fingerprint)
        return self.admit(entry)

    def offer(self, content_hash: str, fingerprint: Fingerprint) -> None:
        """A text's fingerprint (signature, band keys, compressed normalized text), computed
        elsewhere, for the article with this content hash when it arrives (a bounded wait:
        an offer whose article was rejected on its way is let go)."""
        if self.entries.row_of(content_hash) is None:  # else an exact copy of a text met before
            self._offered.offer(content_hash, fingerprint)

    def _row(self, item: Article) -> int:
        if item.content_hash:
            known = self.entries.row_of(item.content_hash)
            if known is not None:
                return known
        fingerprint = self._offered.take(item.content_hash or "")
        if fingerprint is None:
            fingerprint = text_fingerprint(self.hasher, self.site, item.body)
        if fingerprint is None:
            return NO_ROW
        return self._add_text(item, fingerprint)

    def _add_text(self, holder: Article | Entry, fingerprint: Fingerprint) -> int:
        signature, keys, text = fingerprint
        row = self.texts.add(signature, keys, text)
        self.entries.add_text(holder.content_hash, row, keys)
        return row

    def _stored_near(self, entry: Entry) -> str | None:
        if self.state_empty:
            return None
        keys = self.texts.band_keys(entry.row)
        candidates = self.store.near_candidates(self.site, keys, entry.id)
        if not candidates:
            return None
        signature, text = self.texts.signature_and_text(entry.row)
        matches = [
            candidate.article
            for candidate in candidates
            if self.hasher.is_near(signature, from_bytes(candidate.signature), text, candidate.text)
        ]
        first = min(matches, key=self._stored_order, default=None)
        return first.canonical_url if first is not None else None

    def _stored_order(self, article: StoredArticle) -> tuple[str, bool, str, int]:
        return canonical_order(article.published, article.id, self.agencies)

    def resolve(self) -> int:
        """Decide every undecided entry, in canonical order (`decided()` reads them back, in
        that order; `decision(index)` one); returns how many."""
        count = 0
        for entry in self.entries.undecided():
            decision = self._decide(entry)
            self.entries.decide(entry, decision)
            if decision.outcome in (Outcome.NEW, Outcome.UPDATED):
                self.entries.register(entry, decision.duplicate_of or entry.url)
            count += 1
        return count

    def decision(self, index: int) -> Decision | None:
        """The decision of the entry admitted `index`-th (None before `resolve`)."""
        return self.entries.decision(index)

    def to_write(self) -> int:
        """How many decided entries are to be written."""
        return self.entries.to_write()

    def decided(self) -> Iterator[Entry]:
        """The decided entries, with their decisions, in canonical order."""
        return self.entries.decided()

    def _decide(self, entry: Entry) -> Decision:
        if not self.entries.first_decision_of(entry.id):
            return Decision(Outcome.REPEATED, write=False)
        if entry.unchanged:
            return Decision(Outcome.UNCHANGED, write=False)
        outcome = Outcome.UPDATED if entry.stored else Outcome.NEW
        duplicate_of, kind = self._copy_of(entry)
        if duplicate_of is None:
            return Decision(outcome)
        return Decision(outcome, duplicate_of, kind, write=self.policy is Policy.MARK)

    def _copy_of(self, entry: Entry) -> tuple[str | None, str | None]:
        """Canonical URL and kind of match: exact before near, earlier runs before this one."""
        if entry.stored_exact is not None:
            return entry.stored_exact, "exact"
        first = self.entries.first_copy(entry.content_hash) if entry.content_hash else None
        if first is not None and first[0] != entry.id:
            return first[1], "exact"
        if entry.stored_near is not None:
            return entry.stored_near, "near"
        if entry.row == NO_ROW:
            return None, None
        signature = text = None  # read from the files only if a candidate needs them
        # Registered entries (decided before this one, so earlier in canonical order) whose
        # text shares a band, in canonical order: the first near one is the copy's canonical.
        for canonical, other_row in self.entries.sharing(entry.row, entry.id):
            if signature is None or text is None:
                signature, text = self.texts.signature_and_text(entry.row)
            other_signature, other_text = self.texts.signature_and_text(other_row)
            if self.hasher.is_near(signature, other_signature, text, other_text):
                return canonical, "near"
        return None, None

    def records(self, seen_at: str) -> Iterator[SeenRecord]:
        """What the state keeps of the decided entries (written or dropped as copies), one at
        a time: a run's records, signatures included, are never all in memory at once."""
        for entry in self.decided():
            decision = entry.decision
            if decision is None or (decision.outcome is Outcome.REPEATED and not entry.aliases):
                continue
            base = {"site": self.site, "id": entry.id, "url": entry.url, "num": entry.num}
            if decision.outcome in (Outcome.UNCHANGED, Outcome.REPEATED):  # + the URL it came by
                yield SeenRecord(**base, seen_at=seen_at, aliases=entry.aliases, touch_only=True)
                continue
            signature, text, keys = None, None, ()
            if entry.row != NO_ROW:
                signature = self.texts.signature_bytes(entry.row)
                text = self.texts.text(entry.row)
                keys = tuple(self.texts.band_keys(entry.row))
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
