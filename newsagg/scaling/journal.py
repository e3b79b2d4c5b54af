"""The run's journal in Redis: what the workers found, undecided.

In one process the exporter holds a run's articles until the crawl is done, then decides their
duplicates over the whole run. Across workers the run is only done when the last of them is, so
each worker journals its articles instead, as they arrive (in the step that ends the lease of
the request that gave them: newsagg.scaling.ending): the article, what the state said of it
(the dedupe entry) and its text's fingerprint, keyed by the URL it was requested by. The
publishing step decides over all of them at once (newsagg.scaling.publish), as one process
would. Rejects are journaled the same way, keyed by URL and reason. Keys make a repeat (a
request answered again after its worker was killed) replace, never add."""

from __future__ import annotations

import json
import logging
import pickle
from dataclasses import dataclass
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from newsagg.dedupe.entry import Entry
from newsagg.dedupe.run_texts import NO_ROW
from newsagg.items import Article
from newsagg.output.rejects import RejectsLog
from newsagg.pipelines.dedupe import dedupe_stage, run_deduplicator
from newsagg.run import RunContext, run_context
from newsagg.scaling.ending import ARTICLE, REJECT
from newsagg.scaling.keys import RunKeys
from newsagg.scaling.link import RedisLink
from newsagg.scaling.membership import Membership
from newsagg.scaling.parts import rejects_path
from newsagg.spiders.incremental import ListingProgress
from newsagg.timefmt import utc_stamp

logger = logging.getLogger(__name__)

PAGE_DIGITS = 8  # a progress value starts with its page number, zero-padded
# KEYS: progress hash; ARGV: listing, value. Kept only if its page is the deepest yet: a page
# answered again (its worker was killed) does not take the listing back.
PROGRESS = """
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old and tonumber(string.sub(old, 1, 8)) > tonumber(string.sub(ARGV[2], 1, 8)) then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
"""


@dataclass(frozen=True, slots=True)
class JournaledArticle:
    worker: str
    item: Article
    entry: Entry  # as the worker's lookup left it: undecided
    fingerprint: tuple[bytes, tuple[int, ...], bytes] | None  # signature, band keys, text


class RunJournal:
    """Writes to the run's journal for one worker."""

    def __init__(self, member: Membership) -> None:
        self.member = member
        self.link: RedisLink = member.link
        self.keys: RunKeys = member.keys
        self._progress = self.link.client.register_script(PROGRESS)

    def article(self, requested_url: str, record: JournaledArticle) -> None:
        """Journaled with the end of the lease of the request that gave it."""
        blob = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
        self.member.ending.journal(ARTICLE, requested_url, blob)

    def progress(self, listing: str, page: int, progress: ListingProgress | None) -> None:
        """How far the run read `listing`: what its listing record is made of at the end."""
        value = f"{page:0{PAGE_DIGITS}d}".encode() + pickle.dumps(progress)
        self.link.call(self._progress, keys=[self.keys.progress], args=[listing, value])

    def reject(self, row: dict[str, Any]) -> None:
        """Journaled as `article` is."""
        data = json.dumps(row, ensure_ascii=False, default=str)
        self.member.ending.journal(REJECT, f"{row['url']}\0{row['reason']}", data)


class ArticleJournal:
    """In place of the exporter (NEWSAGG_BACKEND=redis): each article, looked up in the state
    and fingerprinted by the dedupe stage, is journaled undecided."""

    def __init__(self, context: RunContext, member: Membership) -> None:
        self.context = context
        self.journal = RunJournal(member)
        self.worker = member.worker
        self.dedupe = run_deduplicator(context)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        context = run_context(crawler)
        assert context.member is not None
        extension = cls(context, context.member)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        return extension

    def item_scraped(self, item: Any, spider: Spider, response: Response | None = None) -> None:
        if not isinstance(item, Article):
            return
        ref = response.meta.get("ref") if response is not None else None
        requested = getattr(ref, "url", None) or item.url
        entry = dedupe_stage(self.context).take(item, requested)
        if entry is None:  # the state was lost in the dedupe stage: this worker stops
            return
        timer = self.context.timer
        fingerprint = None
        if entry.row != NO_ROW:
            texts = self.dedupe.texts
            keys = tuple(texts.band_keys(entry.row))
            fingerprint = (texts.signature_bytes(entry.row), keys, texts.text(entry.row))
        with timer("dedupe"):
            self.journal.article(requested, JournaledArticle(self.worker, item, entry, fingerprint))


class RejectsJournal(RejectsLog):
    """In place of the rejects file: counted as there, and journaled with the worker's name;
    the publishing step writes each worker's rejects part."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = super().from_crawler(crawler)
        context = extension.context
        member = context.member
        assert member is not None
        extension.journal = RunJournal(member)
        extension.path = rejects_path(
            context.config.data_dir, context.site, context.run.date, context.run.id, member.worker
        )
        return extension

    def spider_opened(self, spider: Spider) -> None:
        """Nothing to open: the rows go to the run's journal."""

    def record(self, url: str, reason: str, message: str, found: dict[str, Any]) -> None:
        self.context.tally.rejected[reason] += 1
        logger.warning("%s: rejected (%s): %s", url, reason, message)
        row = {
            "url": url,
            "site": self.context.site,
            "reason": reason,
            "message": message,
            "found": found,
            "at": utc_stamp(),
            "worker": self.journal.member.worker,
        }
        self.journal.reject(row)

    def finish(self) -> None:
        """Nothing to close: the publishing step writes the rejects parts."""
