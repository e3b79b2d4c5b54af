"""The aggregator spider, fed from archives instead of the network: its start yields the
articles of the archived pages, which then take the crawl's own way (item pipelines, dedupe
exporter, publish step, verdict). Nothing is downloaded."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from newsagg.items import Article
from newsagg.output.archive_reader import read_archives
from newsagg.pipelines.dedupe import hasher_of, run_deduplicator
from newsagg.reextract.pages import ArticleResult, PageSorter, extract_work, start_worker
from newsagg.reextract.pool import ordered_map
from newsagg.spiders.aggregator import AggregatorSpider
from newsagg.spiders.article_page import Rejection

SOURCE = "reextract"  # RunContext.components: the ReextractSource


@dataclass(frozen=True, slots=True)
class ReextractSource:
    paths: tuple[Path, ...]
    workers: int


class ReextractSpider(AggregatorSpider):
    async def start(self) -> AsyncIterator[Article]:
        source: ReextractSource = self.context.components[SOURCE]
        sorter = PageSorter(self.profile, self.context.hosts, self.links, self.crawler.stats)
        works = sorter.articles(read_archives(source.paths))
        # With worker processes, they fingerprint the bodies too: this process, which runs
        # the item pipelines, is the one that limits the rate.
        hasher = hasher_of(self.context) if source.workers > 1 else None
        results = ordered_map(
            extract_work,
            works,
            source.workers,
            initializer=start_worker,
            initargs=(self.profile, self.context.hosts, hasher),
        )
        for result in results:
            article = self.article_of(result, sorter)
            if article is not None:
                yield article

    def article_of(self, result: ArticleResult, sorter: PageSorter) -> Article | None:
        author = sorter.teaser_author(result.ref.url)
        found = result.outcome
        if isinstance(found, Rejection):
            self.rejected(found)
            return None
        if not self.counted_and_kept(found, None):
            return None
        if result.fingerprint is not None:
            run_deduplicator(self.context).offer(*result.fingerprint)
        return self.article(result.ref, found, author, result.provenance)
