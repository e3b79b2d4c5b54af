"""Run one crawl in this process and write what it cost to a JSON file.

    python -m benchmarks.crawl RESULT.json SPIDER [-a NAME=VALUE]... [-s NAME=VALUE]...

SPIDER is `aggregator` or `fetch_ceiling` (`benchmarks.ceiling`). RESULT.json gets the crawl's
Scrapy stats and the CPU (user + sys) and wall time of this process between `spider_opened`
and `engine_stopped`, so interpreter start-up and imports are not counted as crawling. Peak RSS
is taken by the parent from `wait4()`, which is why each crawl runs in a process of its own.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.utils.project import get_project_settings

from benchmarks.ceiling import FetchCeilingSpider
from newsagg.scaling.settings import is_redis, worker_settings

SPIDERS: dict[str, Any] = {"aggregator": "aggregator", "fetch_ceiling": FetchCeilingSpider}


class CrawlMeter:
    """Marks the crawl window: CPU and wall clock at `spider_opened` and `engine_stopped`."""

    def __init__(self) -> None:
        self.marks: dict[str, dict[str, float]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        meter = cls()
        crawler.signals.connect(meter.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(meter.engine_stopped, signal=signals.engine_stopped)
        crawler.meter = meter  # type: ignore[attr-defined]  # read back by main()
        return meter

    def spider_opened(self) -> None:
        self.marks["start"] = _now()

    def engine_stopped(self) -> None:
        self.marks["end"] = _now()

    def window(self) -> dict[str, float]:
        start, end = self.marks["start"], self.marks["end"]
        return {
            "wall_s": end["wall"] - start["wall"],
            "cpu_user_s": end["user"] - start["user"],
            "cpu_sys_s": end["sys"] - start["sys"],
            "cpu_s": end["user"] + end["sys"] - start["user"] - start["sys"],
        }


def _now() -> dict[str, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"wall": time.perf_counter(), "user": usage.ru_utime, "sys": usage.ru_stime}


def _pairs(values: list[str]) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, sep, rest = value.partition("=")
        if not sep:
            raise SystemExit(f"expected NAME=VALUE, got {value!r}")
        pairs[name] = rest
    return pairs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("result", type=Path)
    parser.add_argument("spider", choices=sorted(SPIDERS))
    parser.add_argument("-a", dest="spider_args", action="append", default=[])
    parser.add_argument("-s", dest="settings", action="append", default=[])
    args = parser.parse_args(argv)

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newsagg.settings")
    settings = get_project_settings()
    settings.setdict(_pairs(args.settings), priority="cmdline")
    if is_redis(settings):  # a worker of a shared run, as `scrapy crawl` makes one
        worker_settings(settings)
    extensions = settings.getdict("EXTENSIONS")
    extensions["benchmarks.crawl.CrawlMeter"] = 0
    settings.set("EXTENSIONS", extensions, priority="cmdline")

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(SPIDERS[args.spider])
    process.crawl(crawler, **_pairs(args.spider_args))
    process.start()

    result = {
        "spider": args.spider,
        "window": crawler.meter.window(),  # type: ignore[attr-defined]
        "stats": crawler.stats.get_stats() if crawler.stats else {},
    }
    args.result.write_text(json.dumps(result, indent=1, default=str, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
