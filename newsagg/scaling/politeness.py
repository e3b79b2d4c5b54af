"""Politeness as a property of the site, not of the worker: every worker's requests to a host
share one budget in Redis, `DOWNLOAD_DELAY` seconds between the starts of two requests and at
most `CONCURRENT_REQUESTS_PER_DOMAIN` requests downloading at once, whatever the number of
workers.

A request first takes one of the host's download slots (a sorted set of holders, each with an
expiry, and freed at once when its worker's heartbeat says that process is gone), then reserves the
host's next start time and sleeps until it: reservations are served in order and each pushes
the next one `DOWNLOAD_DELAY` later, so starts are spaced evenly across workers (Redis's clock,
one for all machines). Its slot is given back when its answer (or failure) comes: in the round
trip of the worker's next take for that host, or at most `GIVE_BACK_AFTER` later in one of its
own for all the slots done meanwhile (a slot is only ever held longer, never shared). It sits
last before the download handler, so retries and redirects pay their share too, and robots.txt.

Each worker's own downloader slot gets no delay of its own (`SHARED_SLOT`, settings): the budget
is the site's. AutoThrottle, a feedback loop of one process, is off with NEWSAGG_BACKEND=redis."""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from typing import Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

from newsagg.run import run_context
from newsagg.scaling.keys import host_next, host_slots
from newsagg.scaling.link import BackendLost, RedisLink

logger = logging.getLogger(__name__)

SHARED_SLOT = "newsagg-site"  # the worker's one downloader slot (DOWNLOAD_SLOTS: no delay)
HOLD = "newsagg_host_slot"  # request meta: (host slots key, holder) while it downloads
POLL = (0.005, 0.03)  # seconds between two tries for a busy host's slot (random in range)
GIVE_BACK_AFTER = 0.01  # seconds a done slot may wait for the next take to give it back

# KEYS: slots, next; ARGV: holder, limit, hold seconds, delay seconds, holders done...
# Gives back the slots of the holders done, then returns -1 (no slot free) or the seconds to
# wait before starting. A holder is "{heartbeat key}|{its value}|{id}": one whose worker
# process is gone is freed at once.
TAKE = """
if #ARGV > 4 then redis.call('ZREM', KEYS[1], unpack(ARGV, 5)) end
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  for _, holder in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
    local beat, alive = string.match(holder, '^(.-)|(.*)|[^|]*$')
    if beat and redis.call('GET', beat) ~= alive then redis.call('ZREM', KEYS[1], holder) end
  end
  if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return '-1' end
end
redis.call('ZADD', KEYS[1], t + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[3]) * 1000))
local delay = tonumber(ARGV[4])
if delay <= 0 then return '0' end
local start = math.max(t, tonumber(redis.call('GET', KEYS[2]) or '0'))
local keep = math.ceil(delay * 1000) + 60000
redis.call('SET', KEYS[2], string.format('%.6f', start + delay), 'PX', keep)
return string.format('%.6f', start - t)
"""


class HostBudget:
    """Downloader middleware: one politeness budget per host for all workers of all runs."""

    def __init__(
        self, link: RedisLink, liveness: str, delay: float, concurrency: int, hold: float
    ) -> None:
        self.link = link
        self.liveness = liveness
        self.delay = delay
        self.concurrency = max(1, concurrency)
        self.hold = hold
        self._take = link.client.register_script(TAKE)
        self._done: dict[str, list[str]] = {}  # host slots key -> holders to give back
        self._giving_back: asyncio.TimerHandle | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        member = run_context(crawler).member
        assert member is not None
        settings = crawler.settings
        hold = settings.getfloat("DOWNLOAD_TIMEOUT") + 30.0  # a download never outlives it
        budget = cls(
            member.link,
            member.liveness,
            settings.getfloat("DOWNLOAD_DELAY"),
            settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
            hold,
        )
        crawler.signals.connect(budget.give_back_done, signal=signals.spider_closed)
        return budget

    async def process_request(self, request: Request) -> None:
        if request.url.startswith("data:"):
            return
        request.meta["download_slot"] = SHARED_SLOT
        netloc = urlparse_cached(request).netloc
        slots, holder = host_slots(netloc), f"{self.liveness}|{uuid.uuid4().hex}"
        keys = [slots, host_next(netloc)]
        args = [holder, self.concurrency, self.hold, self.delay]
        done = self._done.pop(slots, [])
        try:
            while True:
                wait = float(self.link.call(self._take, keys=keys, args=[*args, *done]))
                done = []
                if wait >= 0:
                    break
                await asyncio.sleep(random.uniform(*POLL))
        except BackendLost as exc:
            raise IgnoreRequest(f"redis lost: {exc}") from None
        request.meta[HOLD] = (slots, holder)
        if wait > 0:
            await asyncio.sleep(wait)

    def process_response(self, request: Request, response: Response) -> Response:
        self._give_back(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        self._give_back(request)

    def _give_back(self, request: Request) -> None:
        held = request.meta.pop(HOLD, None)
        if held is None:
            return
        slots, holder = held
        self._done.setdefault(slots, []).append(holder)
        if self._giving_back is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # no loop to wait in (the worker is stopping): now
                self.give_back_done()
                return
            self._giving_back = loop.call_later(GIVE_BACK_AFTER, self.give_back_done)

    def give_back_done(self) -> None:
        """Give back the slots of the downloads done that no take has given back yet."""
        if self._giving_back is not None:
            self._giving_back.cancel()
            self._giving_back = None
        done, self._done = self._done, {}
        for slots, holders in done.items():
            try:
                self.link.call(self.link.client.zrem, slots, *holders)
            except BackendLost:  # they expire by themselves
                return
