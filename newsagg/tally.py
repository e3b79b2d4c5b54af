"""The run's counts, each with one meaning, kept in the RunContext.

Components add to the tally as things happen; the progress lines, the summary, the manifest
and the health check read it, so "written", "rejected" or "duplicates" is the same number
everywhere. At the end of the run `to_stats` copies it into Scrapy's stats (newsagg.stats)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from scrapy.statscollectors import StatsCollector

from newsagg import stats as keys
from newsagg.items import FILL_FIELDS, Article


@dataclass(slots=True)
class StartListing:
    """How the first page of a start listing went: a dead one fails the run's health."""

    url: str
    problem: str | None = None  # None: answered with at least one article link
    answered: bool = False


@dataclass(slots=True)
class ListingKind:
    """One kind of listing (front pages, outlets, given start URLs) in this run."""

    found: int = 0  # listings of this kind the run started or discovered
    pages: int = 0  # their pages read
    deepest: int = 0  # the deepest page number read
    articles: int = 0  # article links met on them, first time in the run (new or known)

    def read(self, page: int) -> None:
        self.pages += 1
        self.deepest = max(self.deepest, page)


@dataclass(slots=True)
class Tally:
    extracted: int = 0  # articles extracted from article pages (written, or rejected as one)
    filled: Counter[str] = field(default_factory=Counter)  # extracted articles with the field
    missing_example: dict[str, str] = field(default_factory=dict)  # first URL lacking it
    rejected: Counter[str] = field(default_factory=Counter)  # rejects-file rows, by reason
    skipped: Counter[str] = field(default_factory=Counter)  # known links, before `since`
    outcomes: Counter[str] = field(default_factory=Counter)  # dedupe: new, updated, ...
    copies: Counter[str] = field(default_factory=Counter)  # decided copies: exact, near
    to_write: int = 0  # articles the run decided to write (all of them, or its copies too)
    written: int = 0  # records in the published items file(s)
    unpublished: int = 0  # articles decided to write but not published: the run could not
    recorded: int = 0  # articles committed to the state
    article_links: int = 0
    listing_pages: int = 0
    start_listings: dict[str, StartListing] = field(default_factory=dict)
    listing_kinds: dict[str, ListingKind] = field(default_factory=dict)

    @property
    def rejects(self) -> int:
        return sum(self.rejected.values())

    @property
    def duplicates(self) -> int:
        return sum(self.copies.values())

    def extracted_article(self, item: Article) -> None:
        self.extracted += 1
        for name in FILL_FIELDS:
            if getattr(item, name):
                self.filled[name] += 1
            else:
                self.missing_example.setdefault(name, item.url)

    def listing_kind(self, kind: str) -> ListingKind:
        return self.listing_kinds.setdefault(kind, ListingKind())

    def start_listing(self, url: str) -> StartListing:
        return self.start_listings.setdefault(url, StartListing(url))

    def to_stats(self, stats: StatsCollector) -> None:
        values: dict[str, int | str] = {
            keys.ARTICLES: self.extracted,
            keys.REJECTED: self.rejects,
            keys.WRITTEN: self.written,
            keys.DUPLICATES: self.duplicates,
            keys.STATE_RECORDED: self.recorded,
            keys.ARTICLE_LINKS: self.article_links,
            keys.LISTING_PAGES: self.listing_pages,
        }
        values |= {keys.filled(name): count for name, count in self.filled.items()}
        values |= {keys.missing_example(name): url for name, url in self.missing_example.items()}
        values |= {keys.rejected(reason): count for reason, count in self.rejected.items()}
        values |= {keys.skipped(why): count for why, count in self.skipped.items()}
        values |= {keys.dedupe(outcome): count for outcome, count in self.outcomes.items()}
        values |= {keys.duplicate(kind): count for kind, count in self.copies.items()}
        for kind, listing in self.listing_kinds.items():
            values |= {
                keys.listing_kind(kind, "found"): listing.found,
                keys.listing_kind(kind, "pages"): listing.pages,
                keys.listing_kind(kind, "deepest"): listing.deepest,
                keys.listing_kind(kind, "articles"): listing.articles,
            }
        for key, value in values.items():
            stats.set_value(key, value)
