"""The worker's scheduler: scrapy-redis's, on the run's leased queue and claims.

Every request goes to the run's queue in Redis and every request the worker downloads comes
from it, so any worker may answer any request. `enqueue_request` tells four kinds apart: an
`Acknowledgement` (a request's answer is fully handled: its lease ends), a request derived
from a leased one (a redirect, a retry: it replaces that lease), a first ask the spider marked
`CLAIM` (queued only if no worker asked for it before, in the same step) and any other. First
asks wait for the end of the answer that found them (its `Acknowledgement`, at most
`CLAIM_BATCH` of them), then go in one round trip: a listing page's links cost one, not one
each. A done request's lease ends in the round trip that takes the next request, so it always
ends after what its answer found is queued."""

from __future__ import annotations

import logging
from typing import Any, Self

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy_redis.scheduler import Scheduler

from newsagg.run import run_context
from newsagg.scaling.ack import Acknowledgement
from newsagg.scaling.claims import RunClaims
from newsagg.scaling.link import BackendLost
from newsagg.scaling.membership import Membership
from newsagg.scaling.queue import CLAIM, LEASE, LeasedQueue

logger = logging.getLogger(__name__)

CLAIM_BATCH = 100  # first asks held at most before they are claimed and queued


class RunScheduler(Scheduler):
    queue: LeasedQueue
    df: RunClaims

    def __init__(self, member: Membership, **kwargs: Any) -> None:
        super().__init__(member.link.client, **kwargs)
        self.member = member
        self.link = member.link
        self._first_asks: list[tuple[Request, str]] = []  # with their fingerprints

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        member = run_context(crawler).member
        assert member is not None, "NEWSAGG_BACKEND=redis without a run membership"
        claims = RunClaims(member.link.client, key=member.keys.claims)
        scheduler = cls(
            member,
            persist=True,  # the run's queue outlives each worker; publishing deletes it
            queue_key=member.keys.queue,
            dupefilter=claims,
        )
        scheduler.stats = crawler.stats
        return scheduler

    def open(self, spider: Spider) -> None:
        """scrapy-redis's open, less its "Resuming crawl" line (through the deprecated
        Spider.log): a shared run's queue is never empty when a worker joins it."""
        self.spider = spider
        self.queue = LeasedQueue(self.server, spider, self.queue_key, self.serializer)
        self.queue.inflight = self.member.keys.inflight(self.member.worker)
        self.queue.claims = self.member.keys.claims
        try:
            requeued = self.member.requeue_own()
        except BackendLost:  # logged; the worker stops before it asks for anything
            return
        if requeued:
            logger.warning(
                "worker %s: %d requests an earlier process of this name had taken are queued again",
                self.member.worker,
                requeued,
            )

    def enqueue_request(self, request: Request) -> bool:
        try:
            if isinstance(request, Acknowledgement):
                self._queue_first_asks()  # before the lease can end
                self.member.ack_later(request.lease)
                return True
            lease = request.meta.pop(LEASE, None)
            if lease is not None:
                self.link.call(self.queue.exchange, request, lease)
            elif request.meta.pop(CLAIM, False):
                self._first_asks.append((request, self.df.request_fingerprint(request)))
                if len(self._first_asks) >= CLAIM_BATCH:
                    self._queue_first_asks()
                return True  # counted once queued (another worker may have asked first)
            else:
                self.link.call(self.queue.push, request)
        except BackendLost:
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def _queue_first_asks(self) -> None:
        asks, self._first_asks = self._first_asks, []
        queued = self.link.call(self.queue.claim_push, asks) if asks else 0
        if queued and self.stats:
            self.stats.inc_value("scheduler/enqueued/redis", queued)

    def next_request(self) -> Request | None:
        ending = self.member.ending
        try:
            request = self.link.call(self.queue.pop, ending)
        except BackendLost:
            return None
        ending.clear()  # the pop wrote it
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        try:
            self._queue_first_asks()
            return self.link.call(len, self.queue) > 0
        except BackendLost:
            return False

    def close(self, reason: str) -> None:
        """What this worker took and did not finish (a stop) goes back to the run's queue."""
        try:
            self._queue_first_asks()
            requeued = self.member.requeue_own()
        except BackendLost:
            return
        if requeued:
            logger.info(
                "worker %s: %d unfinished requests queued again", self.member.worker, requeued
            )
