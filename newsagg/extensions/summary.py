"""The end of a run in the log: the health lines, one INFO line of what was written, rejected
and skipped, one for dedupe, then a table; all from the run's tally, so every number is the
one the manifest and the health check use."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsagg.health import Verdict
    from newsagg.run import RunContext

from newsagg import stats as keys

logger = logging.getLogger(__name__)


def report_run(context: RunContext, verdict: Verdict, stats: dict[str, Any]) -> None:
    tally = context.tally
    site = context.site
    for problem in verdict.problems:
        logger.warning(
            "health: %s (exit code %d): %s", problem.rule, problem.exit_code, problem.message
        )
    if verdict.problems:
        logger.warning("health: failed; exit code %d", verdict.exit_code)
    else:
        logger.info("health: ok (exit code 0)")
    rejects = context.components.get("rejects")
    logger.info(
        "%s: run finished (%s): %d articles written, %d rejected %s, skipped %s; rejects in %s",
        site,
        context.finish_reason,
        tally.written,
        tally.rejects,
        dict(sorted(tally.rejected.items())),
        dict(sorted(tally.skipped.items())),
        rejects.path if rejects is not None else "-",
    )
    if tally.unpublished:
        logger.warning(
            "%s: %d articles were not published (their files were deleted; the next run"
            " fetches them again)",
            site,
            tally.unpublished,
        )
    outcomes, copies = tally.outcomes, tally.copies
    logger.info(
        "%s: dedupe: %d new, %d updated, %d unchanged; copies: %d exact, %d near, %d of them"
        " dropped; %d known articles not requested, %d listings stopped on known pages",
        site,
        outcomes["new"],
        outcomes["updated"],
        outcomes["unchanged"],
        copies["exact"],
        copies["near"],
        outcomes["dropped"],
        tally.skipped["known"],
        stats.get(keys.LISTINGS_STOPPED_KNOWN, 0),
    )
    if tally.listing_kinds:
        logger.info("%s: listings: %s", site, listing_counts(context))
    logger.info("%s", summary_table(context, stats))


def listing_counts(context: RunContext) -> str:
    """`front 3 found, 4 pages read, deepest page 2, 4 articles reached; outlet ...`"""
    return "; ".join(
        f"{kind} {listing.found} found, {listing.pages} pages read, deepest page"
        f" {listing.deepest}, {listing.articles} articles reached"
        for kind, listing in sorted(context.tally.listing_kinds.items())
    )


def summary_table(context: RunContext, stats: dict[str, Any]) -> str:
    """The run's numbers, one per row, for the end of the log."""
    tally = context.tally
    seconds = (datetime.now(UTC) - context.run.started).total_seconds()
    pages = stats.get("response_received_count", 0)
    rows = [
        ("run", context.run.id),
        ("finish reason", context.finish_reason),
        ("duration", f"{seconds:.1f} s"),
        ("pages", f"{pages} ({pages * 60 / seconds:.0f}/min)" if seconds >= 1 else str(pages)),
        ("listing pages", tally.listing_pages),
        ("articles extracted", tally.extracted),
        ("articles written", tally.written),
        ("duplicates", tally.duplicates),
        ("rejected", tally.rejects),
        *((f"  {name}", count) for name, count in sorted(tally.rejected.items())),
        ("retries", stats.get("retry/count", 0)),
    ]
    width = max(len(name) for name, _ in rows)
    return "run summary:\n" + "\n".join(f"  {name:<{width}}  {value}" for name, value in rows)
