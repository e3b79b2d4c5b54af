"""`scrapy newsagg-publish RUN_ID [--site SITE]`: publish a shared run (NEWSAGG_BACKEND=redis,
docs/scaling.md) whose workers are gone: one whose last worker was killed, lost Redis or failed
to publish; one to publish before its crawl is over (what was fetched; finish reason
`unfinished`); or one whose publish was killed half-way, which this finishes (rolled forward
or done again, never twice).

Exit status: the run's verdict, as `scrapy crawl` gives it (0 only for a published, healthy
run); 2 no such run or Redis unreachable; 3 the run still has live workers (the last of them
publishes it) or another process is publishing it."""

from __future__ import annotations

import argparse
import os
import socket
import sys
from typing import ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.utils.log import configure_logging

from newsagg.config import RUN_ID_PATTERN
from newsagg.errors import StartError
from newsagg.extensions.summary import report_run
from newsagg.health import EXIT_BAD_START, EXIT_LOCKED
from newsagg.run import RunContext
from newsagg.scaling.keys import RunKeys, run_info_pattern
from newsagg.scaling.link import RedisLink, connect
from newsagg.scaling.membership import PUBLISHED, Membership, read_info
from newsagg.scaling.publish import Busy, RunPublisher, verdict_from
from newsagg.state.lock import RunLocked


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, object]] = {"LOG_LEVEL": "INFO"}

    def syntax(self) -> str:
        return "[options] RUN_ID"

    def short_desc(self) -> str:
        return "Publish a shared run (NEWSAGG_BACKEND=redis) whose workers are gone"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        group = parser.add_argument_group(title="Publish Options")
        group.add_argument("--site", metavar="SITE", help="only this site's run of RUN_ID")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1 or not RUN_ID_PATTERN.fullmatch(args[0]):
            raise UsageError("expected one RUN_ID")
        assert self.settings is not None
        run_id = args[0]
        try:
            link = connect(self.settings)
        except StartError as exc:
            self._fail(EXIT_BAD_START, f"newsagg: error: {exc}")
            return
        try:
            sites = [opts.site] if opts.site else _sites_of(link, run_id)
            if not sites or not read_info(link, RunKeys(sites[0], run_id)):
                self._fail(EXIT_BAD_START, f"newsagg: error: no run {run_id} in {link.location}")
                return
            configure_logging(self.settings)
            for site in sites:
                code = self._publish(link, site, run_id)
                self.exitcode = max(self.exitcode, code)
        finally:
            link.client.close()

    def _publish(self, link: RedisLink, site: str, run_id: str) -> int:
        keys = RunKeys(site, run_id)
        info = read_info(link, keys)
        if info.get("status") == PUBLISHED:
            verdict = verdict_from(_json(info["verdict"]))
            print(f"newsagg: {site}: run {run_id} is published already", file=sys.stderr)
            return verdict.exit_code
        live = Membership(link, keys, "newsagg-publish", 1.0, info).live_workers()
        if live:
            print(
                f"newsagg: {site}: run {run_id} has live workers ({', '.join(live)}): the last"
                f" of them publishes it; exit {EXIT_LOCKED}",
                file=sys.stderr,
            )
            return EXIT_LOCKED
        settings = self.settings.copy()
        settings.set("NEWSAGG_BACKEND", "redis", priority="cmdline")
        settings.set("NEWSAGG_RUN_ID", run_id, priority="cmdline")
        try:
            context = RunContext.open(settings, {"site": site}, join=False)
        except (StartError, RunLocked) as exc:
            print(f"newsagg: {site}: {exc}; not publishing", file=sys.stderr)
            return EXIT_BAD_START if isinstance(exc, StartError) else EXIT_LOCKED
        try:
            context.errors.install()
            holder = f"{socket.gethostname()} {os.getpid()} newsagg-publish"
            publisher = RunPublisher(context, settings, holder)
            try:
                verdict = publisher.publish()
            except Busy as exc:
                print(f"newsagg: {site}: {exc}; exit {EXIT_LOCKED}", file=sys.stderr)
                return EXIT_LOCKED
            report_run(context, verdict, dict(publisher.stats))
        finally:
            context.close()
        code = verdict.exit_code
        if code:
            first = min(verdict.problems, key=lambda problem: problem.exit_code)
            print(f"newsagg: {site}: {first.rule}: {first.message}; exit {code}", file=sys.stderr)
        return code

    def _fail(self, code: int, line: str) -> None:
        print(line, file=sys.stderr)
        self.exitcode = code


def _sites_of(link: RedisLink, run_id: str) -> list[str]:
    keys = link.call(lambda: list(link.client.scan_iter(match=run_info_pattern(run_id))))
    return sorted(key.decode().split(":")[2] for key in keys)


def _json(text: str) -> dict[str, object]:
    import json

    return json.loads(text)
