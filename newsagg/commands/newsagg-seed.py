"""`scrapy newsagg-seed SITE... [--run-id ID] [-a NAME=VALUE]...`: start a shared run
(NEWSAGG_BACKEND=redis, docs/scaling.md) by queueing each site's start listings in REDIS_URL.

Workers then join it: `scrapy crawl aggregator -a site=SITE -s NEWSAGG_BACKEND=redis
-s NEWSAGG_RUN_ID=ID`. Prints the run id. Exit status: 0 seeded, 2 a wrong argument or setting
or Redis unreachable, 3 another run of a site is not published yet (one line on stderr)."""

from __future__ import annotations

import argparse
import sys
from typing import ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.utils.conf import arglist_to_dict

from newsagg.config import RUN_ID_PATTERN
from newsagg.errors import StartError
from newsagg.health import EXIT_BAD_START, EXIT_LOCKED
from newsagg.output.layout import Run
from newsagg.scaling.link import connect
from newsagg.scaling.seed import seed_run
from newsagg.state.lock import RunLocked


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, object]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[options] SITE [SITE ...]"

    def short_desc(self) -> str:
        return "Queue a shared run's start listings in Redis (NEWSAGG_BACKEND=redis)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        group = parser.add_argument_group(title="Seed Options")
        group.add_argument("--run-id", metavar="ID", help="the run id (default: a fresh one)")
        group.add_argument(
            "-a",
            dest="spargs",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="a crawl argument every worker takes (repeatable)",
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        try:
            opts.spargs = arglist_to_dict(opts.spargs)
        except ValueError:
            raise UsageError("invalid -a value, use -a NAME=VALUE", print_help=False) from None

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError("expected at least one SITE")
        assert self.settings is not None
        if opts.run_id and not RUN_ID_PATTERN.fullmatch(opts.run_id):
            self._fail(
                EXIT_BAD_START, f"--run-id: letters, digits, '-' and '_' only: {opts.run_id!r}"
            )
            return
        run = Run.mint(opts.run_id or "")
        try:
            link = connect(self.settings)
        except StartError as exc:
            self._fail(EXIT_BAD_START, f"newsagg: error: {exc}")
            return
        try:
            for site in args:
                raw = {**opts.spargs, "site": site}
                try:
                    count = seed_run(link, self.settings, raw, run)
                except StartError as exc:
                    self._fail(EXIT_BAD_START, f"newsagg: error: {exc}")
                    return
                except RunLocked as exc:
                    self._fail(EXIT_LOCKED, f"newsagg: {site}: {exc}; not seeding")
                    return
                print(
                    f"newsagg: {site}: run {run.id} seeded with {count} start listings in"
                    f" {link.location}",
                    file=sys.stderr,
                )
        finally:
            link.client.close()
        print(run.id)

    def _fail(self, code: int, line: str) -> None:
        print(line, file=sys.stderr)
        self.exitcode = code
