"""`scrapy crawl`, failing closed: the exit status is 0 only for a run whose verdict was
computed and is healthy (docs/guarantees.md has every code).

For the aggregator, the RunContext is opened before Scrapy starts anything (so a wrong
argument or setting, a state that cannot be opened, a damaged JOBDIR or an unreadable replay
archive prints one line, exits 2 and leaves no file; a site already being crawled on the same
state exits 3), the site's unfinished runs are resolved, and only then is the crawl started.
Given no -o/-O, the aggregator writes to the dataset layout (newsagg.output.layout). With
NEWSAGG_BACKEND=redis it is a worker of a shared run (newsagg.scaling, docs/scaling.md): Redis
unreachable at start exits 2, and Redis lost during the run stops the worker with exit 5."""

from __future__ import annotations

import argparse
import sys

from scrapy import Spider
from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.crawler import AsyncCrawlerProcess, Crawler, CrawlerProcess
from scrapy.utils.reactor import _asyncio_reactor_path

from newsagg.errors import StartError
from newsagg.health import EXIT_BAD_START, EXIT_CODES, EXIT_LOCKED, EXIT_NO_VERDICT
from newsagg.output.layout import dataset_feed
from newsagg.run import RunContext
from newsagg.scaling.settings import is_redis, worker_settings
from newsagg.state.lock import RunLocked

SPIDER = "aggregator"


class Command(ScrapyCrawlCommand):
    # The crawler process (and with it Scrapy's log banner) is made only once the run's
    # arguments and settings are known to be good: a refused start prints its one line alone.
    requires_crawler_process = False
    context: RunContext | None = None

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        if args and args[0] == SPIDER and is_redis(self.settings):
            worker_settings(self.settings)  # each worker's part is written by the publisher
        elif args and args[0] == SPIDER and not self.settings.getdict("FEEDS"):
            self.settings.set("FEEDS", dataset_feed(self.settings), priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args or args[0] != SPIDER:
            self.crawler_process = make_crawler_process(self.settings)
            super().run(args, opts)
            return
        assert self.settings is not None
        try:
            self.context = RunContext.open(self.settings, opts.spargs)
        except StartError as exc:
            self.fail(EXIT_BAD_START, f"newsagg: error: {exc}")
            return
        except RunLocked as exc:
            site = opts.spargs.get("site", "")
            self.fail(EXIT_LOCKED, f"newsagg: {site}: {exc}; not starting")
            return
        context = self.context
        try:
            self.crawler_process = make_crawler_process(self.settings)
            try:
                context.prepare()  # recovery and index: logged, so after the banner
            except StartError as exc:
                self.fail(EXIT_BAD_START, f"newsagg: error: {exc}")
                return
            super().run(args, opts)
            self.exitcode = self.exit_status(context)
        finally:
            context.close()

    def exit_status(self, context: RunContext) -> int:
        """The verdict's code, or why there is none; ERROR lines logged after the verdict
        fail a run the verdict found healthy."""
        assert self.crawler_process is not None
        if self.crawler_process.bootstrap_failed:
            return 1
        verdict = context.verdict
        site = context.site
        member = context.member
        if member is not None and member.link.lost is not None:
            self.fail(
                EXIT_NO_VERDICT,
                f"newsagg: {site}: {member.link.lost}; worker {member.worker} stopped before"
                f" the verdict of run {context.run.id}, which the others or a restart of it"
                f" finish; exit {EXIT_NO_VERDICT}",
            )
            return EXIT_NO_VERDICT
        if verdict is None:
            self.fail(
                EXIT_NO_VERDICT,
                f"newsagg: {site}: run {context.run.id} stopped before its verdict"
                f" (finish reason {context.finish_reason or 'none'}; a forced shutdown or a"
                f" crash); exit {EXIT_NO_VERDICT}",
            )
            return EXIT_NO_VERDICT
        code = verdict.exit_code
        if code == 0 and context.errors.count > context.errors_at_verdict:
            code = EXIT_CODES["run_failed"]
            print(
                f"newsagg: {site}: ERROR logged after the verdict ({context.errors.first});"
                f" exit {code}",
                file=sys.stderr,
            )
        elif code:
            first = min(verdict.problems, key=lambda problem: problem.exit_code)
            print(f"newsagg: {site}: {first.rule}: {first.message}; exit {code}", file=sys.stderr)
        return code

    def fail(self, code: int, line: str) -> None:
        print(line, file=sys.stderr)
        self.exitcode = code

    def _create_crawler(self, spidercls: type[Spider] | str) -> Crawler:
        crawler = super()._create_crawler(spidercls)
        if self.context is not None:
            self.context.attach(crawler)
        return crawler


def make_crawler_process(settings: object) -> AsyncCrawlerProcess | CrawlerProcess:
    """The process `scrapy.cmdline.execute` would have made for a crawl command."""
    if (
        settings["TWISTED_REACTOR"] == _asyncio_reactor_path  # type: ignore[index]
        and not settings.getbool("FORCE_CRAWLER_PROCESS")  # type: ignore[attr-defined]
    ) or not settings.getbool("TWISTED_REACTOR_ENABLED"):  # type: ignore[attr-defined]
        return AsyncCrawlerProcess(settings)  # type: ignore[arg-type]
    return CrawlerProcess(settings)  # type: ignore[arg-type]
