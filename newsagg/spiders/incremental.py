"""Incremental crawling: article links the state already holds are not requested, and a
listing whose pages show nothing new for `NEWSAGG_STOP_AFTER_KNOWN_PAGES` pages in a row stops
paginating. `-a full=1` (or `NEWSAGG_FULL`) turns both off for a backfill."""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Self

from scrapy.crawler import Crawler

from newsagg.extract.url import ArticleRef
from newsagg.state.runtime import crawl_state
from newsagg.state.store import StateStore

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

    @classmethod
    def from_crawler(cls, crawler: Crawler, site: str, *, full: bool, replay: bool) -> Self:
        stop_after = crawler.settings.getint("NEWSAGG_STOP_AFTER_KNOWN_PAGES")
        if stop_after < 0:
            raise ValueError(
                f"NEWSAGG_STOP_AFTER_KNOWN_PAGES: expected a whole number >= 0, got {stop_after}"
            )
        full = full or crawler.settings.getbool("NEWSAGG_FULL")
        return cls(crawl_state(crawler, replay=replay), site, full=full, stop_after=stop_after)

    def triage(self, refs: Sequence[ArticleRef], requested: Collection[str]) -> Triage:
        """Which links to request: neither requested in this run nor (unless in full mode)
        in the state."""
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
        """Whether this page ends the listing: `stop_after` fully-known pages in a row."""
        streak = self.streaks.get(listing, 0) + 1 if triage.fully_known else 0
        self.streaks[listing] = streak
        return bool(self.stop_after) and streak >= self.stop_after
