"""`scrapy crawl`, with the aggregator's arguments checked before the crawler starts.

A wrong argument, or a state file that cannot be opened, prints one line and exits with
status 2, and no output file is created."""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand

from newsagg.errors import ArgumentError, StateError
from newsagg.spiders.arguments import parse_arguments
from newsagg.state.store import open_state_store, state_location

EXIT_BAD_ARGUMENTS = 2


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args and args[0] == "aggregator":
            try:
                arguments = parse_arguments(opts.spargs)
                assert self.settings is not None
                configured = self.settings.get("NEWSAGG_STATE") or ""
                replay = arguments.replay is not None or bool(self.settings.get("NEWSAGG_REPLAY"))
                open_state_store(state_location(configured, replay=replay)).close()
            except (ArgumentError, StateError) as exc:
                print(f"newsagg: error: {exc}", file=sys.stderr)
                self.exitcode = EXIT_BAD_ARGUMENTS
                return
        super().run(args, opts)
