"""Every `newsagg/*` stats key, spelled once: `newsagg/<area>/<event>[/<reason>]`.

The stats are what a run reports (Scrapy's stats dump, `newsagg/*` beside Scrapy's own keys);
no component reads them back to learn a fact of the run: those travel in the RunContext's
`Tally`, which copies its counts here when the run is published. docs/stats.md lists them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

RUN_ID = "newsagg/run_id"
ARTICLES = "newsagg/articles"  # articles extracted (written or rejected as articles)
ARTICLE_LINKS = "newsagg/article_links"  # article links met on listing pages
LISTING_PAGES = "newsagg/listing_pages"  # listing pages answered
REJECTED = "newsagg/rejected"  # rows of the rejects file
WRITTEN = "newsagg/written"  # records in the published items file(s)
DUPLICATES = "newsagg/duplicates"  # copies decided (exact + near), written or dropped
REJECTS_FILE = "newsagg/rejects_file"
STATE_RECORDED = "newsagg/state/recorded"  # articles this run committed to the state
HEALTH_STATUS = "newsagg/health/status"
HEALTH_EXIT_CODE = "newsagg/health/exit_code"
HEALTH_PROBLEMS = "newsagg/health/problems"
NO_PUBLISHED_LINE = "newsagg/extract/no_published_line"
NO_SOURCE_LINK = "newsagg/extract/no_source_link"
REPLACEMENT_CHARS = "newsagg/text/replacement_chars"  # U+FFFD kept in titles and bodies
RETRY_WAITED_SECONDS = "newsagg/retry/waited_seconds"
RETRY_AFTER_TOO_LONG = "newsagg/retry/retry_after_too_long"
LISTINGS_MAX_PAGES = "newsagg/listings/max_pages_reached"
LISTINGS_STOPPED_KNOWN = "newsagg/listings/stopped_known"
LISTINGS_STOPPED_BY_SINCE = "newsagg/listings/stopped_by_since"
ARCHIVE_RESPONSES = "newsagg/archive/responses"  # exchanges written to the run's WARC files
ARCHIVE_BYTES = "newsagg/archive/body_bytes"  # their response bodies, as received
ARCHIVE_REFUSED = "newsagg/archive/refused"  # exchanges WARC cannot hold (a non-ASCII URL...)
REEXTRACT_RESPONSES = "newsagg/reextract/responses"  # response records read from the archives
REEXTRACT_SKIPPED = "newsagg/reextract/skipped"  # of them, not pages to extract (by reason)
# Batches of pages read by the spawned processes, and by the one that runs the pipelines.
REEXTRACT_BATCHES_SENT = "newsagg/reextract/batches/sent"
REEXTRACT_BATCHES_HERE = "newsagg/reextract/batches/here"
ARCHIVE_DAMAGED = "newsagg/reextract/archive_damage"  # damaged places met in the archives


def reextract_skipped(reason: str) -> str:
    """Archived responses re-extraction passes over: `newsagg/reextract/skipped/status_404`."""
    return f"{REEXTRACT_SKIPPED}/{reason}"


def rejected(reason: str) -> str:
    """Rejects of one reason: `newsagg/rejected/http_404`."""
    return f"{REJECTED}/{reason}"


def filled(field: str) -> str:
    """Extracted articles that have `field`."""
    return f"newsagg/filled/{field}"


def missing_example(field: str) -> str:
    """The first URL of the run whose article lacks `field`."""
    return f"newsagg/missing_example/{field}"


def skipped(why: str) -> str:
    """Article links or articles not requested or not kept: `known`, `before_since`."""
    return f"newsagg/skipped/{why}"


def dedupe(outcome: str) -> str:
    """Dedupe outcomes: `new`, `updated`, `unchanged`, `repeated`, `dropped`."""
    return f"newsagg/dedupe/{outcome}"


def duplicate(kind: str) -> str:
    """Copies by kind of match: `exact`, `near`."""
    return f"newsagg/dedupe/duplicate/{kind}"


def body_method(method: str) -> str:
    """How each body was found (`newsagg.extract.body`'s strategy names, or `none`)."""
    return f"newsagg/body/{method}"


def date_method(method: str) -> str:
    """How each published date was read: `fast`, `month_name`, `dateparser`."""
    return f"newsagg/date/{method}"


def listing_kind(kind: str, event: str) -> str:
    """Per listing kind (`front`, `outlet`, `start`): `found`, `pages`, `deepest`, `articles`."""
    return f"newsagg/listings/{kind}/{event}"


def stage_time(stage: str) -> str:
    """Seconds spent in a stage (NEWSAGG_STAGE_TIMERS)."""
    return f"newsagg/time/{stage}"


def stats_under(stats: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """The stats whose key starts with `prefix`, keyed by the rest, sorted:
    `stats_under(stats, "newsagg/time/")` -> `{"parse": 0.3, ...}`."""
    return {k.removeprefix(prefix): v for k, v in sorted(stats.items()) if k.startswith(prefix)}
