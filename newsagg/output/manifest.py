"""The run manifest, `{run_id}.manifest.json` beside the run's dataset file, and the
`{site}/latest.json` pointer, moved last: written only once the feed file is in place."""

from __future__ import annotations

import hashlib
import json
import logging
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import scrapy
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.extensions.feedexport import FeedSlot
from scrapy.settings import BaseSettings

from newsagg import __version__
from newsagg.extensions.coverage import TRACKED_FIELDS
from newsagg.feeds import AtomicFileFeedStorage, write_atomically
from newsagg.health import Verdict
from newsagg.output.layout import (
    DATASET_OPTION,
    Run,
    current_run,
    is_dataset_run,
    latest_path,
)
from newsagg.signals import run_checked
from newsagg.stats import stats_under

logger = logging.getLogger(__name__)

MANIFEST_VERSION = 1
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


class RunManifest:
    """In a dataset run, writes the manifest when the health check has judged the run (which
    is after the feed file was renamed into place), then moves latest.json onto it."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.settings = crawler.settings
        self.data_dir = Path(crawler.settings.get("NEWSAGG_DATA_DIR"))
        self.items_file: tuple[Path, int] | None = None
        self.finish_reason = "unknown"

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not is_dataset_run(crawler.settings):
            raise NotConfigured("not a dataset run (-o/-O given)")
        extension = cls(crawler)
        crawler.signals.connect(extension.feed_slot_closed, signal=signals.feed_slot_closed)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.run_checked, signal=run_checked)
        return extension

    def feed_slot_closed(self, slot: FeedSlot) -> None:
        storage = slot.storage
        if (
            slot.feed_options.get(DATASET_OPTION)
            and isinstance(storage, AtomicFileFeedStorage)
            and storage.final_path.exists()
            and not storage.partial_path.exists()
        ):
            self.items_file = (storage.final_path, slot.itemcount)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.finish_reason = reason

    def run_checked(self, verdict: Verdict) -> None:
        spider = self.crawler.spider
        if self.items_file is None:
            logger.warning("no dataset file was stored; no manifest, latest.json left as it was")
            return
        items_path, rows = self.items_file
        run = current_run(self.crawler)
        manifest = self.manifest(spider, run, verdict, items_path, rows)
        manifest_path = items_path.with_name(f"{run.id}.manifest.json")
        write_atomically(manifest_path, dumps(manifest))
        site = getattr(spider, "site", spider.name)
        pointer = latest_path(self.settings, site)
        write_atomically(
            pointer,
            dumps(
                {
                    "run_id": run.id,
                    "manifest": manifest_path.relative_to(pointer.parent).as_posix(),
                    "finished": manifest["finished"],
                    "items": rows,
                    "health": verdict.status,
                }
            ),
        )
        logger.info("%s: manifest written; %s now points to run %s", manifest_path, pointer, run.id)

    def manifest(
        self, spider: Spider, run: Run, verdict: Verdict, items_path: Path, rows: int
    ) -> dict[str, Any]:
        stats = self.crawler.stats.get_stats()
        started = stats.get("start_time") or run.started
        finished = datetime.now(UTC)
        articles = stats.get("newsagg/articles", 0)
        files = [self.file_entry("items", items_path, rows)]
        rejects = Path(stats.get("newsagg/rejects_file") or "")
        if rejects.name and rejects.is_file():
            files.append(self.file_entry("rejects", rejects, stats.get("newsagg/rejected", 0)))
        return {
            "manifest_version": MANIFEST_VERSION,
            "run_id": run.id,
            "site": getattr(spider, "site", spider.name),
            "started": timestamp(started),
            "finished": timestamp(finished),
            "duration_seconds": round((finished - started).total_seconds(), 3),
            "finish_reason": self.finish_reason,
            "arguments": spider_arguments(spider),
            "settings": recorded_settings(self.settings),
            "counts": {
                "items": rows,
                "rejects": stats.get("newsagg/rejected", 0),
                "rejects_by_reason": stats_under(stats, "newsagg/rejected/"),
                "duplicates": stats.get("newsagg/duplicates", 0),
                "articles_extracted": articles,
                "pages": stats.get("response_received_count", 0),
                "listing_pages": stats.get("newsagg/listing_pages", 0),
            },
            "fill_rates": {
                name: round(stats.get(f"newsagg/filled/{name}", 0) / articles, 4)
                if articles
                else None
                for name in TRACKED_FIELDS
            },
            "health": verdict.as_dict(),
            "files": files,
            "versions": {
                "newsagg": __version__,
                "scrapy": scrapy.__version__,
                "python": platform.python_version(),
            },
        }

    def file_entry(self, kind: str, path: Path, rows: int) -> dict[str, Any]:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        try:
            name = path.resolve().relative_to(self.data_dir.resolve()).as_posix()
        except ValueError:  # NEWSAGG_REJECTS put it outside the dataset
            name = str(path.resolve())
        return {
            "kind": kind,
            "path": name,
            "rows": rows,
            "bytes": path.stat().st_size,
            "sha256": digest.hexdigest(),
        }


def spider_arguments(spider: Spider) -> dict[str, Any]:
    arguments = getattr(spider, "arguments", None)
    if arguments is None:
        return {}
    return {
        "site": arguments.profile.name,
        "lang": list(arguments.languages),
        "sources": list(arguments.sources),
        "start_urls": list(arguments.start_urls),
        "max_pages": arguments.max_pages,
        "since": arguments.since.isoformat() if arguments.since else None,
        "replay": str(arguments.replay) if arguments.replay else None,
    }


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


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
