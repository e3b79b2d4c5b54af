"""`scrapy crawl`, with the aggregator's arguments checked before the crawler starts.

A wrong argument prints one line and exits with status 2, and no output file is created."""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand

from newsagg.errors import ArgumentError
from newsagg.spiders.arguments import parse_arguments

EXIT_BAD_ARGUMENTS = 2


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args and args[0] == "aggregator":
            try:
                parse_arguments(opts.spargs)
            except ArgumentError as exc:
                print(f"newsagg: error: {exc}", file=sys.stderr)
                self.exitcode = EXIT_BAD_ARGUMENTS
                return
        super().run(args, opts)
