"""A worker's part of a run in the dataset layout: `{run_id}-{worker}.jsonl.gz` (gzip off:
`.jsonl`) and `{run_id}-{worker}.rejects.jsonl`, in the day directory of the run's start, beside
the run's one manifest. `PartWriter` writes a part aside as the dataset feed writes a run's file:
JSON Lines through Scrapy's exporter, gzip level 6, flushed and fsynced."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO, Any

from scrapy.extensions.postprocessing import GzipPlugin

from newsagg.output.jsonlines import ArticleJsonLinesExporter
from newsagg.output.layout import site_dir
from newsagg.output.storage import partial_path

GZIP_LEVEL = 6  # the dataset feed's (newsagg.output.layout.dataset_feed)


def day_dir(data_dir: str, site: str, day: str) -> Path:
    return (site_dir(data_dir, site) / day).absolute()


def items_path(data_dir: str, site: str, day: str, run_id: str, worker: str, gzip: bool) -> Path:
    suffix = ".jsonl.gz" if gzip else ".jsonl"
    return day_dir(data_dir, site, day) / f"{run_id}-{worker}{suffix}"


def rejects_path(data_dir: str, site: str, day: str, run_id: str, worker: str) -> Path:
    return day_dir(data_dir, site, day) / f"{run_id}-{worker}.rejects.jsonl"


def manifest_path(data_dir: str, site: str, day: str, run_id: str) -> Path:
    return day_dir(data_dir, site, day) / f"{run_id}.manifest.json"


class PartWriter:
    """One file written at `{final}.partial`: items (JSON Lines, maybe gzip) or rejects rows."""

    def __init__(self, kind: str, final: Path, *, gzip: bool = False) -> None:
        self.kind = kind
        self.final = final
        self.partial = partial_path(final)
        self.rows = 0
        final.parent.mkdir(parents=True, exist_ok=True)
        # Open until close(): a part is written across the whole decision loop.
        self.file: IO[bytes] = self.partial.open("wb")
        self.stream: Any = (
            GzipPlugin(self.file, {"gzip_compresslevel": GZIP_LEVEL}) if gzip else self.file
        )
        self.exporter = ArticleJsonLinesExporter(self.stream, encoding="utf-8")
        self.exporter.start_exporting()

    def item(self, item: Any) -> None:
        self.exporter.export_item(item)
        self.rows += 1

    def row(self, row: dict[str, Any]) -> None:
        self.stream.write((json.dumps(row, ensure_ascii=False, default=str) + "\n").encode())
        self.rows += 1

    def close(self) -> None:
        """Flush, fsync and close (a publish step: before the checksum)."""
        self.exporter.finish_exporting()
        if self.stream is not self.file:
            self.stream.close()
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()

    def discard(self) -> None:
        if not self.file.closed:
            self.file.close()
        self.partial.unlink(missing_ok=True)
