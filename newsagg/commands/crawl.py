"""`scrapy crawl`, with the aggregator's arguments checked before the crawler starts.

A wrong argument prints one line and exits with status 2, and no output file is created.
Given no -o/-O, the aggregator writes to the dataset layout (newsagg.output.layout)."""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand

from newsagg.errors import ArgumentError
from newsagg.output.layout import dataset_feed
from newsagg.spiders.arguments import parse_arguments

EXIT_BAD_ARGUMENTS = 2


class Command(ScrapyCrawlCommand):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        if args and args[0] == "aggregator" and not self.settings.getdict("FEEDS"):
            self.settings.set("FEEDS", dataset_feed(self.settings), priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args and args[0] == "aggregator":
            try:
                parse_arguments(opts.spargs)
            except ArgumentError as exc:
                print(f"newsagg: error: {exc}", file=sys.stderr)
                self.exitcode = EXIT_BAD_ARGUMENTS
                return
        super().run(args, opts)
