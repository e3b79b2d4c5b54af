"""Incremental crawling: article links the state already holds are not requested, and a
listing whose pages show nothing new for `NEWSAGG_STOP_AFTER_KNOWN_PAGES` pages in a row stops
paginating. `-a full=1` (or `NEWSAGG_FULL`) turns both off for a backfill.

A known page only proves that older articles are known if the runs before paginated that far.
A run stopped half-way (timeout, Ctrl-C, a failed page, `max_pages`) leaves a hole under the
articles it wrote; so each listing's progress is recorded (`ListingRecord`), and where a run
left a frontier the next one does not stop on known pages until it gets below it."""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Self

from scrapy.crawler import Crawler

from newsagg.extract.url import ArticleRef
from newsagg.state.runtime import crawl_state
from newsagg.state.store import ListingRecord, StateStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Triage:
    """A listing page's article links, sorted."""

    new: list[ArticleRef]  # to request
    known: int  # skipped because the state holds them (first time met in this run)
    fully_known: bool  # nothing new, and at least one link from the state


@dataclass(slots=True)
class IncrementalCrawl:
    store: StateStore
    site: str
    full: bool = False
    stop_after: int = 1  # consecutive fully-known pages that stop a listing; 0 = never
    skipped: set[str] = field(default_factory=set)  # known URLs met so far
    streaks: dict[str, int] = field(default_factory=dict)  # listing -> fully-known pages in a row
    frontiers: dict[str, int | None] = field(default_factory=dict)  # as earlier runs left them
    lowest: dict[str, int] = field(default_factory=dict)  # listing -> lowest article id seen
    finished: set[str] = field(default_factory=set)  # listings paginated to their end

    @classmethod
    def from_crawler(cls, crawler: Crawler, site: str, *, full: bool, replay: bool) -> Self:
        stop_after = crawler.settings.getint("NEWSAGG_STOP_AFTER_KNOWN_PAGES")
        if stop_after < 0:
            raise ValueError(
                f"NEWSAGG_STOP_AFTER_KNOWN_PAGES: expected a whole number >= 0, got {stop_after}"
            )
        full = full or crawler.settings.getbool("NEWSAGG_FULL")
        return cls(crawl_state(crawler, replay=replay), site, full=full, stop_after=stop_after)

    def triage(
        self, listing: str, refs: Sequence[ArticleRef], requested: Collection[str]
    ) -> Triage:
        """Which links of a page of `listing` to request: neither requested in this run nor
        (unless in full mode) in the state."""
        if listing not in self.frontiers:
            self.frontiers[listing] = self.store.frontier(self.site, listing)
        if refs:
            lowest = min(ref.article_id for ref in refs)
            self.lowest[listing] = min(self.lowest.get(listing, lowest), lowest)
        unseen = [ref for ref in refs if ref.url not in requested and ref.url not in self.skipped]
        known: set[str] = set()
        if not self.full and unseen:
            links = {ref.url: f"{self.site}:{ref.source_slug}:{ref.article_id}" for ref in unseen}
            known = self.store.known(self.site, links)
            self.skipped |= known
        new = [ref for ref in unseen if ref.url not in known]
        from_state = any(ref.url in self.skipped for ref in refs)
        return Triage(new, len(known), bool(refs) and not new and from_state and not self.full)

    def stops(self, listing: str, triage: Triage) -> bool:
        """Whether this page ends the listing: `stop_after` fully-known pages in a row, below
        any frontier an unfinished run left."""
        streak = self.streaks.get(listing, 0) + 1 if triage.fully_known else 0
        self.streaks[listing] = streak
        frontier = self.frontiers.get(listing)
        past_frontier = frontier is None or self.lowest.get(listing, frontier) < frontier
        if self.stop_after and streak >= self.stop_after and past_frontier:
            self.finished.add(listing)
            return True
        return False

    def finish(self, listing: str) -> None:
        """The listing ended on its own (last page, or `since` reached)."""
        self.finished.add(listing)

    def listing_records(self) -> list[ListingRecord]:
        """What to remember of each listing this run paginated: a finished one has no
        frontier; an unfinished one keeps the lowest id any unfinished run reached."""
        records = []
        for listing, lowest in self.lowest.items():
            frontier = None
            if listing not in self.finished:
                earlier = self.frontiers.get(listing)
                frontier = lowest if earlier is None else min(earlier, lowest)
            records.append(ListingRecord(self.site, listing, frontier))
        return records
