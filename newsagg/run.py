"""RunContext: one per crawl, made once before anything is requested, reachable from every
component through the crawler (`run_context(crawler)`).

It holds what the run is (site profile, parsed arguments, validated settings, run id and day,
start listings and hosts), what it uses (the state store and its lock, the replay archive, the
job directory, the stage timer) and what it finds (the tally, the files it will publish, the
ERROR lines logged, the verdict). Opening it checks everything that can be checked without a
request, in an order that leaves nothing behind on failure:

1. settings, arguments, feeds, replay archive, job directory (`StartError`, exit 2);
2. the state: opened (`StartError`), then the site's lock on it taken (`RunLocked`, exit 3).

With NEWSAGG_BACKEND=redis the run is a shared one (newsagg.scaling): Redis answers, the run
was seeded, the worker takes the seed's arguments and joins the run (`member`) in place of
taking a lock; its unfinished runs are its publisher's to resolve.

`prepare()` then, with logging in place, resolves the site's unfinished runs (recovery),
brings the near-duplicate index to the settings and warns about `-O` overwrites."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings

from newsagg.config import Config
from newsagg.errors import StartError, StateError
from newsagg.health import PreviousRun, Verdict
from newsagg.jobdir import JobDir
from newsagg.logcount import ErrorCount
from newsagg.middlewares.replay import ReplayArchive
from newsagg.output.files import RunFiles
from newsagg.output.layout import FeedTarget, Run, file_feeds, read_latest_manifest
from newsagg.spiders.arguments import (
    CrawlArguments,
    canonical_base,
    parse_arguments,
    start_listings,
)
from newsagg.spiders.hosts import SiteHosts
from newsagg.state.lock import SiteLock
from newsagg.state.store import StateStore, open_state_store, state_location
from newsagg.tally import Tally
from newsagg.timing import StageTimer, Timer, no_timer

if TYPE_CHECKING:
    from newsagg.scaling.context import SharedRun
    from newsagg.scaling.membership import Membership

logger = logging.getLogger(__name__)

ATTRIBUTE = "newsagg_run"  # the crawler attribute that holds the context


@dataclass(eq=False)
class RunContext:
    config: Config
    arguments: CrawlArguments
    run: Run
    feeds: list[FeedTarget]
    start_listings: tuple[tuple[str, str], ...]  # (URL, kind): front, outlet or start
    hosts: SiteHosts
    store: StateStore
    lock: SiteLock | None = None
    replay: ReplayArchive | None = None
    jobdir: JobDir | None = None
    timer: Timer = no_timer
    errors: ErrorCount = field(default_factory=ErrorCount)
    tally: Tally = field(default_factory=Tally)
    files: RunFiles = field(default_factory=RunFiles)
    previous: PreviousRun | None = None  # the site's last published run (dataset layout)
    # Articles of the site the state held when the run started (after recovery); None for a
    # shared run, whose state other workers' runs share.
    known_at_start: int | None = None
    verdict: Verdict | None = None  # once the run is judged
    errors_at_verdict: int = 0  # ERROR lines the verdict saw; any later one fails the run
    finish_reason: str | None = None
    components: dict[str, Any] = field(default_factory=dict)  # the deduplicator, incremental...
    shared: SharedRun | None = None  # NEWSAGG_BACKEND=redis: the run in Redis...
    member: Membership | None = None  # ...and this worker's part in it (none: its publisher)
    raw_arguments: dict[str, str] = field(default_factory=dict)  # as given: -a name=value
    # Re-extraction: the archives the run's records come from, as its manifest lists them.
    source_archives: list[dict[str, Any]] = field(default_factory=list)

    @property
    def site(self) -> str:
        return self.arguments.profile.name

    @property
    def start_urls(self) -> tuple[str, ...]:
        return tuple(url for url, _ in self.start_listings)

    @property
    def is_dataset(self) -> bool:
        return any(feed.dataset for feed in self.feeds)

    @classmethod
    def open(
        cls, settings: BaseSettings, raw_arguments: dict[str, Any], *, join: bool = True
    ) -> Self:
        """Everything checked and the state opened and locked, in that order; StartError or
        RunLocked on the first problem, with nothing left open. `join=False`: a shared run's
        context for publishing it, not for crawling (no membership)."""
        config = Config.from_settings(settings)
        raw = dict(raw_arguments)
        if config.backend == "redis":
            return cls._open_shared(settings, config, raw, join=join)
        return cls._open(settings, config, raw)

    @classmethod
    def _open(cls, settings: BaseSettings, config: Config, raw: dict[str, Any]) -> Self:
        from newsagg.output.exporter import check_index  # here: it imports this module

        if config.replay and not raw.get("replay"):
            raw["replay"] = config.replay
        arguments = parse_arguments(raw, default_max_pages=config.max_pages)
        run = Run.mint(config.run_id)
        feeds = file_feeds(settings, run.uri_params(arguments.profile.name))
        replay = ReplayArchive.load(arguments.replay) if arguments.replay is not None else None
        jobdir = JobDir.check(settings["JOBDIR"]) if settings.get("JOBDIR") else None
        starts = start_listings(arguments)
        profile = arguments.profile
        hosts = SiteHosts.of(
            canonical_base(arguments),
            (profile.base_url, *profile.aliases, *arguments.start_urls),
        )
        location = state_location(config.state, replay=replay is not None)
        try:
            store = open_state_store(location, busy_timeout=config.state_busy_timeout)
        except StateError as exc:
            raise StartError(str(exc)) from None
        try:
            lock = store.lock(arguments.profile.name)
        except BaseException:
            store.close()
            raise
        context = cls(
            config=config,
            arguments=arguments,
            run=run,
            feeds=feeds,
            start_listings=starts,
            hosts=hosts,
            store=store,
            lock=lock,
            replay=replay,
            jobdir=jobdir,
            timer=StageTimer() if config.stage_timers else no_timer,
            raw_arguments={k: str(v) for k, v in raw.items() if k != "_job"},
        )
        try:
            check_index(context)
        except BaseException:
            context.close()
            raise
        return context

    @classmethod
    def _open_shared(
        cls, settings: BaseSettings, config: Config, raw: dict[str, Any], *, join: bool
    ) -> Self:
        from newsagg.output.exporter import check_index
        from newsagg.pipelines.dedupe import hasher_of
        from newsagg.scaling.context import check_shared, open_shared
        from newsagg.state.redis import RedisStateStore

        shared = open_shared(config, settings, raw, join=join)
        store = None
        try:
            arguments = parse_arguments(shared.arguments, default_max_pages=config.max_pages)
            feeds = file_feeds(settings, shared.run.uri_params(arguments.profile.name))
            check_shared(settings, config, arguments, feeds)
            profile = arguments.profile
            hosts = SiteHosts.of(
                canonical_base(arguments),
                (profile.base_url, *profile.aliases, *arguments.start_urls),
            )
            try:
                store = RedisStateStore.open(str(settings.get("REDIS_URL")))
            except StateError as exc:
                raise StartError(str(exc)) from None
            context = cls(
                config=config,
                arguments=arguments,
                run=shared.run,
                feeds=[],
                start_listings=start_listings(arguments),
                hosts=hosts,
                store=store,
                timer=StageTimer() if config.stage_timers else no_timer,
                shared=shared,
            )
            check_index(context)
            if store.index_params() != hasher_of(context).params:
                raise StartError(
                    f"NEWSAGG_NEAR_DUP_THRESHOLD: state {store.location} holds an index built"
                    f" as {store.index_params()!r}; run {shared.run.id} was seeded with it"
                )
            if join:
                context.member = shared.join(config)
        except BaseException:
            if store is not None:
                store.close()
            shared.link.client.close()
            raise
        return context

    def prepare(self) -> None:
        """With logging configured: resolve the site's unfinished runs, fit the index to the
        settings, read the previous run's manifest, warn about `-O` files that will hold only
        new articles."""
        from newsagg.output.exporter import fit_index  # here: it imports this module
        from newsagg.output.recovery import recover

        self.errors.install()
        logger.info(
            "run %s of %s: state %s (%d articles known)",
            self.run.id,
            self.site,
            self.store.location,
            self.store.count(),
        )
        if self.shared is not None:  # recovery and the index: the seed's and the publisher's
            if self.member is not None:
                logger.info("run %s: joined as worker %s", self.run.id, self.member.worker)
                # The site's lock is the run's from its seed to its publish step, so the state
                # of the site is as the run found it: what the dedupe stage reads (`Deduplicator`).
                self.known_at_start = self.store.count(self.site)
            return
        try:
            recover(self)
            fit_index(self)
        except StateError as exc:
            raise StartError(str(exc)) from None
        if self.is_dataset:  # after recovery, which may have published a run
            self.previous = previous_run(self.config.data_dir, self.site)
        known = self.known_at_start = self.store.count(self.site)
        for feed in self.feeds:
            if feed.overwrite and not feed.dataset and known and _non_empty(feed.path):
                logger.warning(
                    "%s: overwritten; it will hold only the articles new since the state's %d"
                    " %s articles (use the dataset layout, or a dated name such as"
                    " -O out-%%(run_date)s.jsonl, to keep every run's)",
                    feed.path,
                    known,
                    self.site,
                )

    def attach(self, crawler: Crawler) -> None:
        setattr(crawler, ATTRIBUTE, self)
        crawler.signals.connect(self._spider_closed, signal=signals.spider_closed)

    def _spider_closed(self, reason: str) -> None:
        self.finish_reason = reason

    def close(self) -> None:
        """The run is over: close the state, free the lock, stop counting ERROR lines."""
        self.store.close()
        if self.lock is not None:
            self.lock.release()
        if self.member is not None:
            self.member.release()
        if self.shared is not None:
            self.shared.link.client.close()
        self.errors.uninstall()


def run_context(crawler: Crawler) -> RunContext:
    """The crawl's context, for a component's `from_crawler`. The aggregator attaches it
    before any component is built; a crawler without one runs another spider (a benchmark's
    bare fetcher), which the run's components are not for: NotConfigured switches them off."""
    context = getattr(crawler, ATTRIBUTE, None)
    if context is None:
        raise NotConfigured("not an aggregator run")
    return context


def config_of(crawler: Crawler) -> Config:
    """The run's settings; for a crawl of another spider (no context), read from its own."""
    context = getattr(crawler, ATTRIBUTE, None)
    return context.config if context is not None else Config.from_settings(crawler.settings)


def attached_context(crawler: Crawler, raw_arguments: dict[str, Any]) -> RunContext:
    """The context the crawl command opened for this crawler, or (a crawl started another way,
    e.g. a script's CrawlerProcess) a new one, opened, prepared and attached now."""
    context = getattr(crawler, ATTRIBUTE, None)
    if context is None:
        context = RunContext.open(crawler.settings, raw_arguments)
        context.prepare()
        context.attach(crawler)
        crawler.signals.connect(context.close, signal=signals.engine_stopped, weak=False)
    return context


def previous_run(data_dir: str, site: str) -> PreviousRun | None:
    manifest = read_latest_manifest(data_dir, site)
    if manifest is None:
        return None
    return PreviousRun(
        run_id=manifest["run_id"],
        items=manifest["counts"]["items"],
        zero_alert=any(p["rule"] == "zero_articles" for p in manifest["health"]["problems"]),
    )


def _non_empty(path: Any) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False
