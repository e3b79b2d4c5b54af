"""Scrapy settings for newsagg, and every NEWSAGG_* default with what it is for.

Grouped by topic. Every NEWSAGG_* setting is checked at start (newsagg.config): a wrong value
or an unknown NEWSAGG_* name stops the run with one line, before anything is requested."""

from __future__ import annotations

BOT_NAME = "newsagg"
SPIDER_MODULES = ["newsagg.spiders"]
NEWSPIDER_MODULE = "newsagg.spiders"
COMMANDS_MODULE = "newsagg.commands"  # `crawl` that checks the run and fails closed
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # Scrapy 2.19's code-executing HTTP endpoint: not on a crawler

# --- Politeness -------------------------------------------------------------------------------
NEWSAGG_CONTACT_URL = "https://github.com/newsagg/newsagg"  # who to tell if we misbehave
ADDONS = {"newsagg.addons.ContactUserAgent": 0}  # USER_AGENT = newsagg/<version> (+contact)
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

# --- Retries and redirects --------------------------------------------------------------------
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# A page given up after retries is a counted reject judged by the HTTP error rule, not an ERROR
# (Scrapy's default level) that would fail the run as if it had crashed.
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"
NEWSAGG_RETRY_BACKOFF = 1.0  # seconds before the first retry, doubled for each next one
NEWSAGG_RETRY_BACKOFF_MAX = 120.0  # longest wait; a longer Retry-After gives the page up
REDIRECT_MAX_TIMES = 10
DOWNLOADER_MIDDLEWARES = {
    # A redirect to a host outside the crawl's is refused before anything is asked of it.
    "newsagg.middlewares.refusals.OffsiteRedirectGuard": 40,
    # Before the cache/compression/redirect/retry middlewares, so replayed responses take
    # the same way back through them as downloaded ones.
    "newsagg.middlewares.replay.ReplayMiddleware": 50,
    # Scrapy's own, refusing with typed exceptions (the reject's reason comes from the type).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "newsagg.middlewares.refusals.TypedRobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newsagg.middlewares.retry.BackoffRetryMiddleware": 550,  # with waits and Retry-After
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "newsagg.middlewares.refusals.TypedMetaRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "newsagg.middlewares.refusals.TypedRedirectMiddleware": 600,
    # Nearest the downloader: every answer archived as it came (redirects, each retried 500).
    "newsagg.middlewares.archive.ArchiveMiddleware": 890,
}

# --- Engine -----------------------------------------------------------------------------------
# Workers per response for its callback's output. An article page yields one item and the
# pipelines are synchronous, so more only adds asyncio task churn: Scrapy's default of 100 cost
# ~1 ms of CPU per page (benchmarks/run.py), half of a bare fetch.
CONCURRENT_ITEMS = 1
LOGSTATS_INTERVAL = 60.0
NEWSAGG_GC_FREEZE = True  # gc.freeze() at start: full collections skip Scrapy's own objects
NEWSAGG_GC_THRESHOLD = 10000  # allocations between young collections (Python's default: 700)
NEWSAGG_STAGE_TIMERS = False  # sum seconds per stage into stats newsagg/time/<stage> (benchmarks)

# --- What is crawled --------------------------------------------------------------------------
NEWSAGG_MAX_PAGES = 0  # pagination depth per listing; 0 = no limit
NEWSAGG_REPLAY = ""  # WARC file to serve every response from ("sample" = the bundled archive)
NEWSAGG_FULL = False  # request articles the state already holds (backfill); as -a full=1
NEWSAGG_STOP_AFTER_KNOWN_PAGES = 1  # fully-known listing pages in a row that end it; 0 = never

# --- Items: cleaning, validation, rejects -----------------------------------------------------
ITEM_PIPELINES = {
    "newsagg.pipelines.clean.CleanPipeline": 100,
    "newsagg.pipelines.validate.ValidatePipeline": 200,
    # Last: state lookups, exact copies, MinHash near-copy candidates (the canonical copy is
    # chosen at the publish step). A stage after it must not drop or replace articles.
    "newsagg.pipelines.dedupe.DedupePipeline": 300,
}
# An article missing one of these is rejected; the reason names the first missing one.
NEWSAGG_REQUIRED_FIELDS = ["published", "title", "body", "source"]
NEWSAGG_VALIDATE_SCHEMA = True  # check each item against newsagg/schema/article.schema.json
NEWSAGG_REJECTS = ""  # rejects JSONL path; "" = beside the first file feed, else .newsagg/rejects/

# --- Dedupe and the state ---------------------------------------------------------------------
NEWSAGG_STATE = ""  # seen-store file; "" = <user data dir>/newsagg/state.sqlite3, replay: memory
NEWSAGG_STATE_BUSY_TIMEOUT = 30.0  # seconds a state write waits for another process's
NEWSAGG_DUPLICATES = "mark"  # copies: "mark" (write with duplicate_of) or "drop" (record, skip)
NEWSAGG_NEAR_DUP_THRESHOLD = 0.8  # Jaccard similarity of 5-word shingles that makes a near-copy
NEWSAGG_NEAR_DUP_NUM_PERM = 128  # MinHash values per article: more = finer estimate, slower

# --- Scaling out: several workers on one run (docs/scaling.md) --------------------------------
NEWSAGG_BACKEND = "sqlite"  # "redis": queue, dupefilter, state and politeness shared in REDIS_URL
REDIS_URL = "redis://127.0.0.1:6379/0"  # scrapy-redis's setting: the Redis of NEWSAGG_BACKEND=redis
NEWSAGG_WORKER = ""  # this worker's name in its run and its part's; "" = {host}-{pid}
NEWSAGG_WORKER_TIMEOUT = 15.0  # seconds without a heartbeat before a worker's requests go back

# --- Output and the publish step --------------------------------------------------------------
FEED_STORAGES = {
    "": "newsagg.output.storage.AtomicFileFeedStorage",
    "file": "newsagg.output.storage.AtomicFileFeedStorage",
}
FEED_EXPORT_ENCODING = "utf-8"  # JSON Lines with real UTF-8, not \\u escapes
FEED_EXPORTERS = {"jsonl": "newsagg.output.jsonlines.ArticleJsonLinesExporter"}
FEED_URI_PARAMS = "newsagg.output.layout.uri_params"  # %(run_id)s and %(run_date)s in feed URIs
NEWSAGG_DATA_DIR = "data"  # dataset root when no -o/-O: {site}/{YYYY-MM-DD}/{run_id}.jsonl.gz
NEWSAGG_GZIP = True  # gzip the dataset file (off: {run_id}.jsonl)
NEWSAGG_RUN_ID = ""  # run id to use instead of a fresh {UTC start}-{6 hex}
# Every HTTP exchange kept as WARC beside the run's files (docs/archive.md): "auto" = for
# dataset runs, not for -o/-O runs; 1 or 0 to force. Files rotate once they reach the size.
NEWSAGG_ARCHIVE = "auto"
NEWSAGG_ARCHIVE_MAX_BYTES = 1_000_000_000
NEWSAGG_CRASH_AT = ""  # tests only: SIGKILL the process at this publish point (newsagg.config)

# --- Health and the operator's view -----------------------------------------------------------
# docs/guarantees.md: the rules, their exit codes; rates are judged from MIN_SAMPLE cases on.
NEWSAGG_HEALTH_MAX_REJECT_PCT = 20  # rejected articles and pages, % of all
NEWSAGG_HEALTH_MAX_HTTP_ERROR_PCT = 20  # pages answered 4xx/5xx or nothing, % of pages
NEWSAGG_HEALTH_MIN_FILL_PCT = {  # % of extracted articles that must have the field
    "title": 90,
    "source": 90,
    "published": 90,
    "body": 90,
    "source_url": 50,
}
NEWSAGG_HEALTH_MIN_SAMPLE = 5  # fewer articles/pages than this: rate rules are not judged
NEWSAGG_HEALTH_FINISH_REASONS = ["finished"]  # any other finish reason fails the run
NEWSAGG_PROGRESS_INTERVAL = 60.0  # seconds between progress lines; 0 = none

EXTENSIONS = {
    # Replaced: holds articles until the crawl is done, to mark copies whatever the crawl order.
    "scrapy.extensions.feedexport.FeedExporter": None,
    "newsagg.output.exporter.DedupeFeedExporter": 0,
    "newsagg.output.rejects.RejectsLog": 500,
    "newsagg.extensions.coverage.ArticleCoverage": 510,  # per-field fill counts
    "newsagg.output.publish.Publisher": 520,  # the ordered end: journal, rename, commit, verdict
    "newsagg.extensions.jobdir.JobDirMarker": 530,  # JOBDIR marked in use while the run is
    "newsagg.extensions.progress.Progress": 550,  # a progress line every interval
    "newsagg.extensions.gc_tuning.GcTuning": 560,  # gc.freeze() at start (NEWSAGG_GC_FREEZE)
    "newsagg.extensions.stage_timers.StageTimers": 570,  # only with NEWSAGG_STAGE_TIMERS
    "scrapy.extensions.logstats.LogStats": None,  # the progress line says the same and more
}

# --- newsagg-diff: the gate before releasing an extraction change (docs/diff.md) -------------
NEWSAGG_DIFF_IGNORE = ["scraped_at"]  # fields left out of every diff: they differ in each run
NEWSAGG_DIFF_MAX_CHANGED_PCT = {"*": 5}  # per field ("*" = any other): % of records in both
NEWSAGG_DIFF_MAX_REMOVED_PCT = 1  # % of OLD's records that NEW may lack
NEWSAGG_DIFF_MAX_ADDED_PCT = 5  # records NEW may add, as % of OLD's count
NEWSAGG_DIFF_MAX_DUPLICATES = 0  # ids on more than one line of one input (both inputs counted)
