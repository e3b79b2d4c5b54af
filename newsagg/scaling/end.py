"""A worker's life in a shared run, as a Scrapy extension: polling the run's queue, staying
while the run has work anywhere, and its end.

While it runs, it looks at the run's queue ten times a second (other workers queue requests
this one's engine knows nothing of) and writes its counts to the run's checkpoints twice a
second. It goes idle only when nothing is queued and nothing is in flight in any worker (a dead
worker's requests are queued again first). Then it closes: its last checkpoint, it leaves the
run, and the last to leave publishes it (newsagg.scaling.publish); the others wait for that
verdict, so every worker's exit status is the run's. Redis lost at any point stops the worker
at once (finish reason `redis_lost`): it publishes nothing and exits 5."""

from __future__ import annotations

import logging
import os
import socket
import time
from typing import Any, Self

import redis
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import reactor
from twisted.internet.task import LoopingCall

from newsagg.extensions.summary import report_run
from newsagg.health import Problem, Verdict
from newsagg.run import RunContext, run_context
from newsagg.scaling.link import BackendLost
from newsagg.scaling.membership import Membership
from newsagg.scaling.publish import Busy, RunPublisher, verdict_from
from newsagg.scaling.tallies import stats_of, tally_dict

logger = logging.getLogger(__name__)

POKE = 0.1  # seconds between looks at the run's queue
CHECKPOINT = 0.5  # seconds between two checkpoints of the worker's counts
LOST = "redis_lost"  # the finish reason of a worker that lost Redis


class RunEnd:
    def __init__(self, crawler: Crawler, context: RunContext, member: Membership) -> None:
        self.crawler = crawler
        self.context = context
        self.member = member
        self.link = member.link
        self.loop: LoopingCall | None = None
        self.checkpointed = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        context = run_context(crawler)
        assert context.member is not None
        extension = cls(crawler, context, context.member)
        extension.link.on_lost = extension.lost
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self) -> None:
        self.loop = LoopingCall(self.tick)
        self.loop.start(POKE, now=False)

    def tick(self) -> None:
        if self.link.lost is not None:
            return
        if self.member.heartbeat_error is not None:
            self.link.fail(RuntimeError(f"heartbeat: {self.member.heartbeat_error}"))
            return
        slot = getattr(self.crawler.engine, "_slot", None)  # Scrapy has no public "look again"
        if slot is not None and slot.nextcall is not None:
            slot.nextcall.schedule()
        if time.monotonic() - self.checkpointed >= CHECKPOINT:
            self.checkpointed = time.monotonic()
            try:
                self.member.checkpoint(self.counts("running", None))
            except BackendLost:
                return

    def counts(self, status: str, reason: str | None) -> dict[str, Any]:
        return {
            "status": status,
            "finish_reason": reason,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "tally": tally_dict(self.context.tally),
            "stats": stats_of(self.crawler.stats.get_stats()),
            "errors": self.context.errors.count,
        }

    def spider_idle(self) -> None:
        if self.link.lost is not None:
            return
        try:
            over = self.member.crawl_over()
        except BackendLost:
            return
        if not over:
            raise DontCloseSpider

    def lost(self) -> None:
        engine = self.crawler.engine
        if engine is not None and engine.running:
            reactor.callLater(0, lambda: deferred_from_coro(engine.close_spider_async(reason=LOST)))

    def spider_closed(self, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.link.lost is not None:
            return
        try:
            own = self.member.checkpoint(self.counts("closed", reason))
            live = self.member.leave()
        except BackendLost:
            return
        try:
            if live == 0:
                self.publish(own)
            elif reason != "finished" and live > 0:
                self.left_early(reason, live)
            else:
                self.wait(max(live, 0))
        except redis.RedisError as exc:
            self.link.fail(exc)

    def publish(self, own: dict[str, Any]) -> None:
        context = self.context
        note = self.member.publisher_note
        publisher = RunPublisher(context, self.crawler.settings, note, own)
        try:
            verdict = publisher.publish()
        except Busy as exc:
            logger.info("worker %s: %s", self.member.worker, exc)
            self.wait(0)
            return
        context.verdict = verdict
        stats = self.crawler.stats
        for name, value in publisher.stats.items():
            stats.set_value(name, value)
        context.tally.to_stats(stats)
        stats.set_value("newsagg/health/status", verdict.status)
        stats.set_value("newsagg/health/exit_code", verdict.exit_code)
        report_run(context, verdict, stats.get_stats())

    def left_early(self, reason: str, live: int) -> None:
        """Stopped (Ctrl-C, a CLOSESPIDER_* limit) while others still crawl: what it held is
        back in the queue for them, and it does not wait for their verdict (a second Ctrl-C
        must end it): its own is that it did not end cleanly, as one process's would be."""
        message = (
            f"worker {self.member.worker} left run {self.context.run.id} before its end (finish"
            f" reason {reason!r}); its {live} other worker(s) finish and publish it"
        )
        logger.warning("%s", message)
        self.context.verdict = Verdict((Problem("run_failed", message),))
        self.context.errors_at_verdict = self.context.errors.count

    def wait(self, live: int) -> None:
        worker, run_id = self.member.worker, self.context.run.id
        logger.info(
            "worker %s: done with run %s; %d other worker(s) still in it: waiting for the"
            " run's verdict",
            worker,
            run_id,
            live,
        )
        data = self.member.wait_for_verdict()
        if data is None:
            return
        verdict: Verdict = verdict_from(data)
        self.context.verdict = verdict
        self.context.errors_at_verdict = self.context.errors.count
        logger.info(
            "worker %s: run %s published by another worker: health %s (exit code %d)",
            worker,
            run_id,
            verdict.status,
            verdict.exit_code,
        )
