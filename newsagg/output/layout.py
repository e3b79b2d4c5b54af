"""Where a run's files go: `{NEWSAGG_DATA_DIR}/{site}/{YYYY-MM-DD}/{run_id}.*`, and the run id.

A run id is minted once per crawl (UTC start time plus 6 random hex digits, so ids sort by time)
and kept in the stats, where the feed URI, the rejects file, the manifest and the exit code
read it back."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import apply_uri_params
from scrapy.settings import BaseSettings

RUN_ID_STAT = "newsagg/run_id"
RUN_STARTED_STAT = "newsagg/run_started"
# Feed option that marks the dataset feed: its slot gets a manifest and moves latest.json.
DATASET_OPTION = "newsagg_dataset"
GZIP_PLUGIN = "scrapy.extensions.postprocessing.GzipPlugin"
_RUN_ID = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True, slots=True)
class Run:
    id: str  # "20261126T094903Z-3f2a1c"
    started: datetime  # UTC

    @property
    def date(self) -> str:
        """The dataset partition: the UTC day the run started."""
        return self.started.strftime("%Y-%m-%d")


def current_run(crawler: Crawler) -> Run:
    """This crawl's run: minted on first use (or `NEWSAGG_RUN_ID`), the same ever after."""
    stats = crawler.stats
    run_id = stats.get_value(RUN_ID_STAT)
    if run_id is None:
        started = datetime.now(UTC).replace(microsecond=0)
        run_id = crawler.settings.get("NEWSAGG_RUN_ID") or (
            f"{started:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"
        )
        if not _RUN_ID.fullmatch(run_id):
            raise ValueError(f"NEWSAGG_RUN_ID: letters, digits, '-' and '_' only, got {run_id!r}")
        stats.set_value(RUN_ID_STAT, run_id)
        stats.set_value(RUN_STARTED_STAT, started.isoformat())
    return Run(run_id, datetime.fromisoformat(stats.get_value(RUN_STARTED_STAT)))


def uri_params(params: dict[str, Any], spider: Spider) -> dict[str, Any]:
    """FEED_URI_PARAMS: adds `%(run_id)s` and `%(run_date)s` (`%(site)s` is a spider attribute)."""
    run = current_run(spider.crawler)
    return {**params, "run_id": run.id, "run_date": run.date}


def dataset_feed(settings: BaseSettings) -> dict[str, dict[str, Any]]:
    """The FEEDS entry of a run given no -o/-O: gzip JSON Lines in the dataset layout."""
    root = settings.get("NEWSAGG_DATA_DIR")
    if not root:
        raise ValueError("NEWSAGG_DATA_DIR: empty; set the dataset's root directory")
    options: dict[str, Any] = {
        "format": "jsonl",
        "encoding": "utf-8",
        "store_empty": True,  # a run with no article still publishes an (empty) file
        "overwrite": True,
        DATASET_OPTION: True,
    }
    name = "%(run_id)s.jsonl"
    if settings.getbool("NEWSAGG_GZIP"):
        name += ".gz"
        options["postprocessing"] = [GZIP_PLUGIN]
        options["gzip_compresslevel"] = 6  # 9 costs twice the CPU for ~2 % smaller files
    return {str(Path(root) / "%(site)s" / "%(run_date)s" / name): options}


def expand_feed_uri(uri_template: str, spider: Spider) -> str | None:
    """The URI a feed template names in this run, if it uses only our parameters (and the
    spider's `site`/`name`); None otherwise."""
    params = uri_params({"site": getattr(spider, "site", spider.name), "name": spider.name}, spider)
    try:
        return apply_uri_params(uri_template, params)
    except (KeyError, ValueError, TypeError):
        return None


def site_dir(settings: BaseSettings, site: str) -> Path:
    return Path(settings.get("NEWSAGG_DATA_DIR")) / site


def is_dataset_run(settings: BaseSettings) -> bool:
    return any(options.get(DATASET_OPTION) for options in settings.getdict("FEEDS").values())


def latest_path(settings: BaseSettings, site: str) -> Path:
    return site_dir(settings, site) / "latest.json"


def read_latest_manifest(settings: BaseSettings, site: str) -> dict[str, Any] | None:
    """The manifest `{site}/latest.json` points to; None before the site's first run.
    A pointer or manifest that cannot be read raises: history must not silently vanish."""
    pointer = latest_path(settings, site)
    if not pointer.exists():
        return None
    latest = json.loads(pointer.read_text(encoding="utf-8"))
    manifest = site_dir(settings, site) / latest["manifest"]
    return json.loads(manifest.read_text(encoding="utf-8"))
