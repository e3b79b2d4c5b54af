"""Scrapy settings for newsagg, and every NEWSAGG_* default with what it is for."""

from __future__ import annotations

BOT_NAME = "newsagg"
SPIDER_MODULES = ["newsagg.spiders"]
NEWSPIDER_MODULE = "newsagg.spiders"
COMMANDS_MODULE = "newsagg.commands"  # `crawl` that checks spider arguments before starting

# --- Politeness -------------------------------------------------------------------------------
NEWSAGG_CONTACT_URL = "https://github.com/newsagg/newsagg"  # who to tell if we misbehave
USER_AGENT = f"newsagg/0.1 (+{NEWSAGG_CONTACT_URL})"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024  # article pages are ~100 KB; anything this big is not one
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 10

# --- Engine -----------------------------------------------------------------------------------
# Workers per response for its callback's output. An article page yields one item and the
# pipelines are synchronous, so more only adds asyncio task churn: Scrapy's default of 100 cost
# ~1 ms of CPU per page (benchmarks/run.py), half of a bare fetch.
CONCURRENT_ITEMS = 1
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False
LOGSTATS_INTERVAL = 60.0

# --- Pipeline and output ----------------------------------------------------------------------
ITEM_PIPELINES = {
    "newsagg.pipelines.clean.CleanPipeline": 100,
    "newsagg.pipelines.validate.ValidatePipeline": 200,
}
EXTENSIONS = {
    "newsagg.extensions.rejects.RejectsLog": 500,
    "newsagg.extensions.summary.RunSummary": 510,
    "newsagg.extensions.stage_timers.StageTimers": 520,  # only with NEWSAGG_STAGE_TIMERS
}
DOWNLOADER_MIDDLEWARES = {
    # Before the cache/compression/redirect/retry middlewares, so replayed responses take
    # the same way back through them as downloaded ones.
    "newsagg.replay.ReplayMiddleware": 50,
}
FEED_STORAGES = {
    "": "newsagg.feeds.AtomicFileFeedStorage",
    "file": "newsagg.feeds.AtomicFileFeedStorage",
}
FEED_EXPORT_ENCODING = "utf-8"  # JSON Lines with real UTF-8, not \\u escapes
FEED_EXPORTERS = {"jsonl": "scrapy.exporters.JsonLinesItemExporter"}

# An article missing one of these is rejected; the reason names the first missing one.
NEWSAGG_REQUIRED_FIELDS = ["published", "title", "body", "source"]
NEWSAGG_REJECTS = ""  # rejects JSONL path; "" = beside the first file feed, else .newsagg/rejects/
NEWSAGG_VALIDATE_SCHEMA = True  # check each item against newsagg/schema/article.schema.json
NEWSAGG_REPLAY = ""  # WARC file to serve every response from ("sample" = the bundled archive)
NEWSAGG_MAX_PAGES = 0  # pagination depth per listing; 0 = no limit
NEWSAGG_STAGE_TIMERS = False  # sum seconds per stage into stats newsagg/time/<stage> (benchmarks)
