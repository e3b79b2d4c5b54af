"""`scrapy newsagg-reextract ARCHIVE_OR_GLOB…`: the articles made again from WARC archives,
with the crawl's extraction, cleaning, validation, duplicate decisions and publish step, and
nothing downloaded (docs/archive.md).

The result is a new snapshot with its own run id: the dataset layout (manifest naming the
source archives, latest.json) or the `-o`/`-O` file. The crawl state is left as it is: the run
dedupes against a state of its own, made empty and deleted after, unless `--update-state`.
The site and the spider arguments come from the archives' warcinfo (`-a` overrides). Exit
codes are the crawl's: 2 for an argument or archive that cannot be used, 10 for damage met in
an archive (each named with file and offset; the intact records are still used)."""

from __future__ import annotations

import argparse
import os
import shutil

from scrapy import Spider
from scrapy.crawler import Crawler

from newsagg.commands.crawl import SPIDER
from newsagg.commands.crawl import Command as CrawlCommand
from newsagg.errors import StartError
from newsagg.health import EXIT_BAD_START
from newsagg.output.publish import THROWAWAY_STATE
from newsagg.output.scratch import scratch_dir
from newsagg.reextract.sources import SourceArchive, describe, expand
from newsagg.reextract.spider import SOURCE, ReextractSource, ReextractSpider
from newsagg.scaling.settings import is_redis

_NOT_REPLAYED = ("replay", "full")  # crawl arguments that mean nothing to a re-extraction


class Command(CrawlCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[options] ARCHIVE_OR_GLOB..."

    def short_desc(self) -> str:
        return "Extract the articles again from WARC archives, without fetching anything"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        group = parser.add_argument_group(title="Re-extraction Options")
        group.add_argument(
            "--workers",
            type=int,
            default=len(os.sched_getaffinity(0)),
            metavar="N",
            help="processes extracting pages (default: the CPUs this process may use,"
            " %(default)s here)",
        )
        group.add_argument(
            "--update-state",
            action="store_true",
            help="dedupe against the crawl state and record the articles in it",
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options([SPIDER], opts)  # -a, -s, -o/-O; the dataset feed if neither
        assert self.settings is not None
        # A re-extraction reads the archive; it writes none.
        self.settings.set("NEWSAGG_ARCHIVE", "0", priority="cmdline")
        self.settings.set("NEWSAGG_REPLAY", "", priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if opts.workers < 1:
            self.fail(
                EXIT_BAD_START, f"newsagg: error: --workers: expected >= 1, got {opts.workers}"
            )
            return
        if is_redis(self.settings):  # a shared run's workers keep no archive to read back
            self.fail(
                EXIT_BAD_START, "newsagg: error: NEWSAGG_BACKEND: re-extraction runs on sqlite"
            )
            return
        try:
            sources = self.sources(args)
            opts.spargs = {**spider_arguments(sources), **opts.spargs}
        except StartError as exc:
            self.fail(EXIT_BAD_START, f"newsagg: error: {exc}")
            return
        state_dir = None
        self.throwaway_state = not opts.update_state
        if self.throwaway_state:
            state_dir = scratch_dir("reextract")
            self.settings.set("NEWSAGG_STATE", str(state_dir / "state.sqlite3"), "cmdline")
        self.source = ReextractSource(tuple(source.path for source in sources), opts.workers)
        self.source_archives = [source.as_manifest() for source in sources]
        try:
            super().run([SPIDER], opts)
        finally:
            if state_dir is not None:
                shutil.rmtree(state_dir, ignore_errors=True)

    def sources(self, args: list[str]) -> list[SourceArchive]:
        if not args:
            raise StartError("no archive given: newsagg-reextract ARCHIVE_OR_GLOB...")
        return [describe(path) for path in expand(args)]

    def _create_crawler(self, spidercls: type[Spider] | str) -> Crawler:
        crawler = super()._create_crawler(ReextractSpider)
        assert self.context is not None
        self.context.components[SOURCE] = self.source
        self.context.components[THROWAWAY_STATE] = self.throwaway_state
        self.context.source_archives = self.source_archives
        return crawler


def spider_arguments(sources: list[SourceArchive]) -> dict[str, str]:
    """The crawl's arguments, from the first archive that records them; StartError for
    archives of more than one site."""
    sites = {source.site for source in sources if source.site}
    if len(sites) > 1:
        raise StartError(f"the archives are of several sites ({', '.join(sorted(sites))})")
    for source in sources:
        if source.arguments:
            return {k: v for k, v in source.arguments.items() if k not in _NOT_REPLAYED}
    return {"site": next(iter(sites))} if sites else {}
