"""The run manifest, `{run_id}.manifest.json` beside the run's dataset file, and the
`{site}/latest.json` pointer to it. Built here, written by the publish step once the run is
committed (or by recovery, from the journal)."""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.settings import BaseSettings

from newsagg import __version__
from newsagg.items import FILL_FIELDS
from newsagg.state.store import RunFile
from newsagg.timefmt import utc_stamp

if TYPE_CHECKING:
    from newsagg.health import Verdict
    from newsagg.run import RunContext

MANIFEST_VERSION = 2
# Scrapy settings worth knowing when comparing runs; every NEWSAGG_* setting is recorded too.
RECORDED_SETTINGS = (
    "USER_AGENT",
    "ROBOTSTXT_OBEY",
    "AUTOTHROTTLE_ENABLED",
    "AUTOTHROTTLE_TARGET_CONCURRENCY",
    "CONCURRENT_REQUESTS",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "DOWNLOAD_DELAY",
    "DOWNLOAD_TIMEOUT",
    "DOWNLOAD_MAXSIZE",
    "RETRY_TIMES",
    "RETRY_HTTP_CODES",
    "JOBDIR",
    "CLOSESPIDER_ITEMCOUNT",
    "CLOSESPIDER_TIMEOUT",
)


def build_manifest(
    context: RunContext,
    settings: BaseSettings,
    verdict: Verdict,
    files: list[RunFile],
    pages: int,
) -> dict[str, Any]:
    """What the run did, from the context's tally: the same numbers as the log's summary."""
    tally = context.tally
    finished = datetime.now(UTC)
    started = context.run.started
    data_dir = Path(context.config.data_dir).absolute()
    return {
        "manifest_version": MANIFEST_VERSION,
        "run_id": context.run.id,
        "site": context.site,
        "started": utc_stamp(started),
        "finished": utc_stamp(finished),
        "duration_seconds": round((finished - started).total_seconds(), 3),
        "finish_reason": context.finish_reason,
        "arguments": context.arguments.as_dict(),
        "settings": recorded_settings(settings),
        "counts": {
            "items": tally.written,
            "rejects": tally.rejects,
            "rejects_by_reason": dict(sorted(tally.rejected.items())),
            "duplicates": tally.duplicates,
            "duplicates_by_kind": dict(sorted(tally.copies.items())),
            "articles_extracted": tally.extracted,
            "pages": pages,
            "listing_pages": tally.listing_pages,
            "listings": {
                kind: {
                    "found": listing.found,
                    "pages": listing.pages,
                    "deepest_page": listing.deepest,
                    "articles": listing.articles,
                }
                for kind, listing in sorted(tally.listing_kinds.items())
            },
        },
        "fill_rates": {
            name: round(tally.filled[name] / tally.extracted, 4) if tally.extracted else None
            for name in FILL_FIELDS
        },
        "health": verdict.as_dict(),
        "files": [file_entry(file, data_dir) for file in files],
        # A re-extraction's records come from these archives, not from the network.
        **({"source_archives": context.source_archives} if context.source_archives else {}),
        "versions": {
            "newsagg": __version__,
            "scrapy": scrapy.__version__,
            "python": platform.python_version(),
        },
    }


def file_entry(file: RunFile, data_dir: Path) -> dict[str, Any]:
    path = Path(file.final)
    try:
        name = path.relative_to(data_dir).as_posix()
    except ValueError:  # NEWSAGG_REJECTS put it outside the dataset
        name = str(path)
    return {
        "kind": file.kind,
        "path": name,
        "rows": file.rows,
        "bytes": file.bytes,
        "sha256": file.sha256,
    }


def latest_pointer(manifest_text: str, manifest_path: Path, pointer: Path) -> str:
    """The text of `latest.json` pointing to a manifest."""
    manifest = json.loads(manifest_text)
    return dumps(
        {
            "run_id": manifest["run_id"],
            "manifest": manifest_path.relative_to(pointer.parent).as_posix(),
            "finished": manifest["finished"],
            "items": manifest["counts"]["items"],
            "health": manifest["health"]["status"],
        }
    )


def recorded_settings(settings: BaseSettings) -> dict[str, Any]:
    names = [
        *RECORDED_SETTINGS,
        *sorted(n for n, _ in settings.items() if n.startswith("NEWSAGG_")),
    ]
    recorded = {}
    for name in names:
        value = settings.get(name)
        recorded[name] = value.copy_to_dict() if isinstance(value, BaseSettings) else value
    return recorded


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
