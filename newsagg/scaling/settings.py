"""What NEWSAGG_BACKEND=redis changes in a worker's Scrapy settings, before its crawler is
made: scrapy-redis's scheduler and dupefilter (the run's), the acknowledging spider middleware,
the shared robots.txt and politeness budget, and the journal and end of run in place of the
exporter, rejects file and publish step of one process."""

from __future__ import annotations

from scrapy.settings import BaseSettings

from newsagg.scaling.politeness import SHARED_SLOT

PRIORITY = "cmdline"  # above settings.py's: these are not choices a worker makes

SPIDER_MIDDLEWARES = {"newsagg.scaling.ack.AcknowledgeMiddleware": 1}  # outermost
DOWNLOADER_MIDDLEWARES = {
    "newsagg.middlewares.refusals.TypedRobotsTxtMiddleware": None,
    "newsagg.scaling.robots.SharedRobotsTxtMiddleware": 100,
    "newsagg.scaling.politeness.HostBudget": 990,  # last before the download itself
}
EXTENSIONS = {
    "newsagg.output.exporter.DedupeFeedExporter": None,
    "newsagg.output.rejects.RejectsLog": None,
    "newsagg.output.publish.Publisher": None,
    "newsagg.extensions.jobdir.JobDirMarker": None,
    "newsagg.scaling.journal.ArticleJournal": 0,
    "newsagg.scaling.journal.RejectsJournal": 500,
    "newsagg.scaling.end.RunEnd": 520,
}


def is_redis(settings: BaseSettings) -> bool:
    return str(settings.get("NEWSAGG_BACKEND") or "").strip().lower() == "redis"


def worker_settings(settings: BaseSettings) -> None:
    settings.set("SCHEDULER", "newsagg.scaling.scheduler.RunScheduler", priority=PRIORITY)
    settings.set("DUPEFILTER_CLASS", "newsagg.scaling.claims.RunClaims", priority=PRIORITY)
    settings.set("AUTOTHROTTLE_ENABLED", False, priority=PRIORITY)
    per_site = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
    # A worker crawls one site, through one downloader slot: it never downloads more than
    # the site's budget at once, and takes no more than that from the run's queue, which
    # leaves the rest to the other workers.
    total = min(settings.getint("CONCURRENT_REQUESTS") or per_site, per_site)
    settings.set("CONCURRENT_REQUESTS", total, priority=PRIORITY)
    slot = {"delay": 0.0, "jitter": 0.0, "concurrency": per_site}
    settings.set("DOWNLOAD_SLOTS", {SHARED_SLOT: slot}, priority=PRIORITY)
    for name, changes in (
        ("SPIDER_MIDDLEWARES", SPIDER_MIDDLEWARES),
        ("DOWNLOADER_MIDDLEWARES", DOWNLOADER_MIDDLEWARES),
        ("EXTENSIONS", EXTENSIONS),
    ):
        settings.set(name, {**settings.getdict(name), **changes}, priority=PRIORITY)
