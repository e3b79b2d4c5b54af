"""Where a run's files go: `{NEWSAGG_DATA_DIR}/{site}/{YYYY-MM-DD}/{run_id}.*` in the dataset
layout, or the `-o`/`-O` paths; and the run id, minted once per crawl."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit

from scrapy import Spider
from scrapy.extensions.feedexport import apply_uri_params
from scrapy.settings import BaseSettings
from w3lib.url import file_uri_to_path

from newsagg.errors import StartError

# Feed option that marks the dataset feed: its run gets a manifest and moves latest.json.
DATASET_OPTION = "newsagg_dataset"
GZIP_PLUGIN = "scrapy.extensions.postprocessing.GzipPlugin"


@dataclass(frozen=True, slots=True)
class Run:
    id: str  # "20261126T094903Z-3f2a1c": UTC start plus 6 random hex digits, so ids sort by time
    started: datetime  # UTC

    @classmethod
    def mint(cls, configured_id: str = "") -> Self:
        started = datetime.now(UTC).replace(microsecond=0)
        return cls(configured_id or f"{started:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}", started)

    @property
    def date(self) -> str:
        """The dataset partition: the UTC day the run started."""
        return self.started.strftime("%Y-%m-%d")

    def uri_params(self, site: str) -> dict[str, str]:
        return {"site": site, "name": "aggregator", "run_id": self.id, "run_date": self.date}


@dataclass(frozen=True, slots=True)
class FeedTarget:
    """One file feed of the run, its URI template expanded."""

    path: Path
    overwrite: bool  # -O: the file is replaced
    dataset: bool  # the dataset layout's feed


def uri_params(params: dict[str, Any], spider: Spider) -> dict[str, Any]:
    """FEED_URI_PARAMS: `%(run_id)s`, `%(run_date)s` and `%(site)s` in feed URIs."""
    from newsagg.run import run_context  # here: the context imports this module

    context = run_context(spider.crawler)
    return {**params, **context.run.uri_params(context.site)}


def dataset_feed(settings: BaseSettings) -> dict[str, dict[str, Any]]:
    """The FEEDS entry of a run given no -o/-O: gzip JSON Lines in the dataset layout."""
    root = settings.get("NEWSAGG_DATA_DIR") or "data"
    options: dict[str, Any] = {
        "format": "jsonl",
        "encoding": "utf-8",
        "store_empty": True,  # a run with no article still publishes an (empty) file
        "overwrite": True,
        DATASET_OPTION: True,
    }
    name = "%(run_id)s.jsonl"
    if str(settings.get("NEWSAGG_GZIP")).strip().lower() not in ("0", "false", "no"):
        name += ".gz"
        options["postprocessing"] = [GZIP_PLUGIN]
        options["gzip_compresslevel"] = 6  # 9 costs twice the CPU for ~2 % smaller files
    return {str(Path(root) / "%(site)s" / "%(run_date)s" / name): options}


def file_feeds(settings: BaseSettings, params: dict[str, str]) -> list[FeedTarget]:
    """Every FEEDS entry as a local file; StartError for one that is not (only local files
    can be written aside and renamed into place) or whose URI names an unknown parameter."""
    targets = []
    for uri, options in settings.getdict("FEEDS").items():
        uri = str(uri)
        scheme = urlsplit(uri).scheme
        if scheme not in ("", "file"):
            raise StartError(
                f"FEEDS: {uri}: only local files can be published atomically (got {scheme}://)"
            )
        try:
            expanded = apply_uri_params(
                uri, {**params, "batch_id": 1, "time": "", "batch_time": ""}
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise StartError(f"FEEDS: {uri}: unknown URI parameter {exc}") from None
        path = Path(file_uri_to_path(expanded) if expanded.startswith("file:") else expanded)
        options = options or {}
        targets.append(
            FeedTarget(
                path.absolute(),
                overwrite=bool(options.get("overwrite")),
                dataset=bool(options.get(DATASET_OPTION)),
            )
        )
    return targets


def site_dir(data_dir: str | Path, site: str) -> Path:
    return Path(data_dir) / site


def latest_path(data_dir: str | Path, site: str) -> Path:
    return site_dir(data_dir, site) / "latest.json"


def read_latest_manifest(data_dir: str | Path, site: str) -> dict[str, Any] | None:
    """The manifest `{site}/latest.json` points to; None before the site's first run. A pointer
    or manifest that cannot be read raises StartError: history must not silently vanish."""
    pointer = latest_path(data_dir, site)
    if not pointer.exists():
        return None
    try:
        latest = json.loads(pointer.read_text(encoding="utf-8"))
        manifest = site_dir(data_dir, site) / latest["manifest"]
        return json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StartError(f"{pointer}: the previous run's manifest cannot be read ({exc})") from None
