"""`scrapy newsagg-report [DATA_DIR]`: the last runs of each site, from their manifests.

(The file name carries the hyphen because Scrapy names a command after its module.)"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newsagg.output.report import format_report


class Command(ScrapyCommand):
    requires_project = False
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, object]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[options] [DATA_DIR]"

    def short_desc(self) -> str:
        return "Show the last runs of each site: counts, health, duration"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--runs", type=int, default=5, metavar="N", help="runs per site (default: 5)"
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) > 1:
            raise UsageError("at most one data directory")
        if opts.runs < 1:
            raise UsageError("--runs: expected a whole number >= 1")
        assert self.settings is not None
        data_dir = Path(args[0] if args else self.settings.get("NEWSAGG_DATA_DIR") or "data")
        print(format_report(data_dir, opts.runs))
