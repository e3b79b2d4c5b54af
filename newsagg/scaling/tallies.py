"""A worker's counts as JSON, and the run's counts as the sum of its workers'.

Each worker process (an *incarnation* of a worker name) writes its tally and a few Scrapy stats
to the run's checkpoints twice a second and when it closes; the publishing step adds them up.
A killed process's counts are those of its last checkpoint."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from newsagg import stats as keys
from newsagg.tally import ListingKind, StartListing, Tally

# Scrapy (and newsagg) stats summed over the run's workers: what the verdict and the summary read.
SUMMED_STATS = (
    "response_received_count",
    "spider_exceptions/count",
    "retry/count",
    "downloader/request_count",
    "item_scraped_count",
    keys.LISTINGS_STOPPED_KNOWN,
    keys.LISTINGS_MAX_PAGES,
)


def tally_dict(tally: Tally) -> dict[str, Any]:
    return {
        "extracted": tally.extracted,
        "filled": dict(tally.filled),
        "missing_example": dict(tally.missing_example),
        "rejected": dict(tally.rejected),
        "skipped": dict(tally.skipped),
        "article_links": tally.article_links,
        "listing_pages": tally.listing_pages,
        "start_listings": {url: s.problem for url, s in tally.start_listings.items()},
        "listing_kinds": {
            kind: [k.found, k.pages, k.deepest, k.articles]
            for kind, k in tally.listing_kinds.items()
        },
    }


def merged_tally(parts: Iterable[Mapping[str, Any]]) -> Tally:
    """The run's tally from its workers' (`tally_dict`); decisions and written counts are the
    publishing step's to add."""
    tally = Tally()
    for part in parts:
        tally.extracted += part.get("extracted", 0)
        tally.filled.update(part.get("filled", {}))
        for name, url in part.get("missing_example", {}).items():
            tally.missing_example.setdefault(name, url)
        tally.rejected.update(part.get("rejected", {}))
        tally.skipped.update(part.get("skipped", {}))
        tally.article_links += part.get("article_links", 0)
        tally.listing_pages += part.get("listing_pages", 0)
        for url, problem in part.get("start_listings", {}).items():
            start = tally.start_listings.setdefault(url, StartListing(url))
            if start.problem is None:
                start.problem = problem
        for kind, (found, pages, deepest, articles) in part.get("listing_kinds", {}).items():
            listing = tally.listing_kinds.setdefault(kind, ListingKind())
            listing.found += found
            listing.pages += pages
            listing.deepest = max(listing.deepest, deepest)
            listing.articles += articles
    return tally


def summed_stats(parts: Iterable[Mapping[str, Any]]) -> Counter[str]:
    total: Counter[str] = Counter()
    for part in parts:
        total.update(part.get("stats", {}))
    return total


def stats_of(stats: Mapping[str, Any]) -> dict[str, int]:
    return {name: int(stats.get(name, 0)) for name in SUMMED_STATS}
