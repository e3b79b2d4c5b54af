"""Incremental crawling: article links the state already holds are not requested, and a
listing whose pages show nothing new for `NEWSAGG_STOP_AFTER_KNOWN_PAGES` pages in a row stops
paginating. `-a full=1` (or `NEWSAGG_FULL`) turns both off for a backfill.

A known page only proves that older articles are known if the runs before paginated that far.
A run stopped half-way (timeout, Ctrl-C, a failed page, `max_pages`) leaves a hole under the
articles it published; so each listing's progress is recorded with the run, and where a run
left a frontier (the ids on the deepest page it read) the next one does not stop on known
pages until it has met one of them. Nothing here compares the numeric ids of two outlets."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

from newsagg.extract.url import ArticleRef
from newsagg.state.store import ListingRecord, StateStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Triage:
    """A listing page's article links, sorted."""

    new: list[ArticleRef]  # to request
    known: int  # skipped because the state holds them (first time met in this run)
    fully_known: bool  # nothing new, and at least one link from the state


@dataclass(slots=True)
class ListingProgress:
    """One listing in this run (kept in `spider.state` with JOBDIR, so a resume goes on)."""

    frontier: tuple[str, ...] | None  # as the state had it when the run started
    reached: bool  # the frontier was met (or there was none)
    streak: int = 0  # fully-known pages in a row
    deepest_page: int = 0
    # Article ids first met on the deepest page read: not those every page repeats (ticker,
    # menus), which a later run would meet on its first page.
    deepest_ids: tuple[str, ...] = ()
    seen: set[str] = field(default_factory=set)  # ids met on this listing's pages so far
    finished: bool = False  # paginated to its end, to `since`, or to known ground


def article_id(site: str, ref: ArticleRef) -> str:
    return f"{site}:{ref.source_slug}:{ref.article_id}"


@dataclass(slots=True)
class IncrementalCrawl:
    store: StateStore
    site: str
    full: bool = False
    stop_after: int = 1  # consecutive fully-known pages that stop a listing; 0 = never
    skipped: set[str] = field(default_factory=set)  # known URLs met so far
    progress: dict[str, ListingProgress] = field(default_factory=dict)

    def listing(self, listing: str) -> ListingProgress:
        progress = self.progress.get(listing)
        if progress is None:
            frontier = self.store.frontier(self.site, listing)
            progress = ListingProgress(frontier, reached=frontier is None)
            self.progress[listing] = progress
        return progress

    def adopt(self, listing: str, progress: ListingProgress | None) -> None:
        """A shared run's listing page brings its listing's progress from the page before it,
        whichever worker read that one (newsagg.scaling); a first page starts from the state."""
        if progress is None:
            self.progress.pop(listing, None)
        else:
            self.progress[listing] = progress

    def triage(
        self, listing: str, page: int, refs: Sequence[ArticleRef], requested: Collection[str]
    ) -> Triage:
        """Which links of page `page` of `listing` to request: neither requested in this run
        nor (unless in full mode) in the state."""
        progress = self.listing(listing)
        ids = tuple(article_id(self.site, ref) for ref in refs)
        if not progress.reached and not set(progress.frontier or ()).isdisjoint(ids):
            progress.reached = True
        if refs and page >= progress.deepest_page:
            fresh = tuple(i for i in ids if i not in progress.seen)
            progress.deepest_page, progress.deepest_ids = page, fresh
        progress.seen.update(ids)
        unseen = [ref for ref in refs if ref.url not in requested and ref.url not in self.skipped]
        known: set[str] = set()
        if not self.full and unseen:
            links = {ref.url: article_id(self.site, ref) for ref in unseen}
            known = self.store.known(self.site, links)
            self.skipped |= known
        new = [ref for ref in unseen if ref.url not in known]
        from_state = any(ref.url in self.skipped for ref in refs)
        return Triage(new, len(known), bool(refs) and not new and from_state and not self.full)

    def stops(self, listing: str, triage: Triage) -> bool:
        """Whether this page ends the listing: `stop_after` fully-known pages in a row, once
        any frontier an unfinished run left has been met."""
        progress = self.listing(listing)
        progress.streak = progress.streak + 1 if triage.fully_known else 0
        if self.stop_after and progress.streak >= self.stop_after and progress.reached:
            progress.finished = True
            return True
        return False

    def finish(self, listing: str) -> None:
        """The listing ended on its own (last page, or `since` reached)."""
        self.listing(listing).finished = True

    def listing_records(self, outstanding: Callable[[str], int]) -> list[ListingRecord]:
        """What to remember of each listing this run paginated. One finished with every
        article it asked for answered has no frontier; any other keeps the deepest frontier
        known: this run's deepest page once it met the old one, else the old one."""
        records = []
        for listing, progress in self.progress.items():
            frontier: tuple[str, ...] | None = None
            if not progress.finished or outstanding(listing):
                frontier = progress.deepest_ids if progress.reached else progress.frontier
            records.append(ListingRecord(self.site, listing, frontier))
        return records
