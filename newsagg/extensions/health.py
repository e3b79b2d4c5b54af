"""End-of-run health check: the rules of newsagg.health applied to this run, logged, put in the
stats (`newsagg/health/*`, read by the crawl command for its exit code) and signalled."""

from __future__ import annotations

import logging
from typing import Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FeedExporter

from newsagg.health import PreviousRun, RunFacts, Thresholds, Verdict, check_run
from newsagg.output.layout import is_dataset_run, read_latest_manifest
from newsagg.signals import run_checked

logger = logging.getLogger(__name__)

EXIT_CODE_STAT = "newsagg/health/exit_code"


class HealthCheck:
    """Judges the run once its output is settled: on `feed_exporter_closed` (so a feed that
    could not be stored counts), or on `spider_closed` when there is no feed."""

    def __init__(self, crawler: Crawler, limits: Thresholds) -> None:
        self.crawler = crawler
        self.limits = limits
        self.finish_reason = "unknown"
        self.previous: PreviousRun | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(crawler, Thresholds.from_settings(crawler.settings))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.feed_exporter_closed, signal=signals.feed_exporter_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        # Read before this run can move latest.json; only the dataset keeps a history.
        if is_dataset_run(self.crawler.settings):
            manifest = read_latest_manifest(self.crawler.settings, spider.site)
            if manifest is not None:
                self.previous = PreviousRun(
                    run_id=manifest["run_id"],
                    items=manifest["counts"]["items"],
                    zero_alert=any(
                        p["rule"] == "zero_articles" for p in manifest["health"]["problems"]
                    ),
                )

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.finish_reason = reason
        if self.crawler.get_extension(FeedExporter) is None:
            self.judge()

    def feed_exporter_closed(self) -> None:
        self.judge()

    def judge(self) -> None:
        stats = self.crawler.stats
        facts = RunFacts.from_stats(stats.get_stats(), self.finish_reason, self.previous)
        verdict = check_run(facts, self.limits)
        stats.set_value("newsagg/health/status", verdict.status)
        stats.set_value(EXIT_CODE_STAT, verdict.exit_code)
        stats.set_value("newsagg/health/problems", verdict.as_dict()["problems"])
        report(verdict)
        self.crawler.signals.send_catch_log(run_checked, verdict=verdict)


def report(verdict: Verdict) -> None:
    if not verdict.problems:
        logger.info("health: ok (exit code 0)")
        return
    for problem in verdict.problems:
        logger.warning(
            "health: %s (exit code %d): %s", problem.rule, problem.exit_code, problem.message
        )
    logger.warning("health: failed; exit code %d", verdict.exit_code)
