"""`scrapy crawl`, with the aggregator's arguments checked before the crawler starts.

A wrong argument, a state file that cannot be opened or whose MinHash signatures the
near-duplicate settings cannot use, prints one line and exits with status 2, and no output
file is created. Given no -o/-O, the aggregator writes to the dataset
layout (newsagg.output.layout). The exit status is the health check's verdict (README "Health
checks and exit codes"); a site already being crawled by another process is not crawled
again (exit status 3)."""

from __future__ import annotations

import argparse
import sys
from typing import IO

from scrapy import Spider
from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

from newsagg.dedupe.export import hasher_from_settings, signatures_mismatch
from newsagg.errors import ArgumentError, StateError
from newsagg.extensions.health import EXIT_CODE_STAT
from newsagg.output.layout import dataset_feed
from newsagg.runlock import EXIT_LOCKED, RunLocked, acquire_run_lock, lock_path
from newsagg.spiders.arguments import parse_arguments
from newsagg.state.store import open_state_store, state_location

EXIT_BAD_ARGUMENTS = 2


class Command(ScrapyCrawlCommand):
    crawler: Crawler | None = None
    lock: IO[str] | None = None

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        if args and args[0] == "aggregator" and not self.settings.getdict("FEEDS"):
            self.settings.set("FEEDS", dataset_feed(self.settings), priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args and args[0] == "aggregator":
            try:
                arguments = parse_arguments(opts.spargs)
                site = arguments.profile.name
                assert self.settings is not None
                replay = arguments.replay is not None or bool(self.settings.get("NEWSAGG_REPLAY"))
                check_state(self.settings, replay=replay)
            except (ArgumentError, StateError) as exc:
                print(f"newsagg: error: {exc}", file=sys.stderr)
                self.exitcode = EXIT_BAD_ARGUMENTS
                return
            assert self.settings is not None
            try:
                # Held until the process exits; the kernel frees it even after SIGKILL.
                self.lock = acquire_run_lock(lock_path(self.settings["NEWSAGG_DATA_DIR"], site))
            except RunLocked as exc:
                print(f"newsagg: {site}: {exc}; not starting", file=sys.stderr)
                self.exitcode = EXIT_LOCKED
                return
        super().run(args, opts)
        health = self.crawler.stats.get_value(EXIT_CODE_STAT) if self.crawler else None
        if not self.exitcode and health:
            self.exitcode = health

    def _create_crawler(self, spidercls: type[Spider] | str) -> Crawler:
        self.crawler = super()._create_crawler(spidercls)  # kept to read its stats afterwards
        return self.crawler


def check_state(settings: BaseSettings, *, replay: bool) -> None:
    """The state file opens, and its MinHash signatures are of the near-duplicate settings."""
    try:
        hasher = hasher_from_settings(settings)
    except ValueError as exc:
        raise ArgumentError(str(exc)) from exc
    store = open_state_store(state_location(settings.get("NEWSAGG_STATE") or "", replay=replay))
    try:
        problem = signatures_mismatch(store, hasher)
    finally:
        store.close()
    if problem:
        raise StateError(problem)
