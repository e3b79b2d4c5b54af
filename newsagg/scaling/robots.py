"""robots.txt fetched once per host per run, whatever the number of workers.

The first worker to need a host's robots.txt takes the run's fetch note for that host (a key
with a time to live, naming its process), fetches it as Scrapy would and leaves the body in the
run's keys; the others wait for the body and parse that. A worker that finds the note's process
gone without a body fetches it itself. A robots.txt that could not be fetched is noted too, and
every worker treats it as Scrapy does: no rules."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler

from newsagg.middlewares.refusals import TypedRobotsTxtMiddleware
from newsagg.run import run_context
from newsagg.scaling.link import BackendLost

logger = logging.getLogger(__name__)

UNAVAILABLE = b"-"  # stored instead of a body: the fetch failed (no rules, as in Scrapy)
FETCH_HOLD = 60_000  # ms a fetcher holds the note before another worker may try
WAIT = 0.02  # seconds between looks for the body another worker fetches


class SharedRobotsTxtMiddleware(TypedRobotsTxtMiddleware):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        member = run_context(crawler).member
        assert member is not None
        self.link = member.link
        self.keys = member.keys
        self.liveness = member.liveness

    async def robot_parser(self, request: Request) -> RobotParser | None:
        netloc = urlparse_cached(request).netloc
        if netloc in self._parsers:
            return await super().robot_parser(request)
        client, key = self.link.client, self.keys.robots(netloc)
        try:
            while True:
                body = self.link.call(client.get, key)
                if body is not None:
                    return self._shared(netloc, body)
                fetch = self.keys.robots_fetch(netloc)
                if self.link.call(client.set, fetch, self.liveness, nx=True, px=FETCH_HOLD):
                    break
                holder = (self.link.call(client.get, fetch) or b"").decode()
                beat, _, alive = holder.partition("|")
                if beat and (self.link.call(client.get, beat) or b"").decode() != alive:
                    self.link.call(client.delete, fetch)  # its fetcher is gone: try again
                    continue
                await asyncio.sleep(WAIT)
        except BackendLost:
            return None  # the worker stops; what it asks now is never published
        parser = await super().robot_parser(request)  # fetched here, once for the run
        if parser is None:  # not fetched: the others are told so, unless a body came
            self._store(netloc, UNAVAILABLE, only_new=True)
        return parser

    async def _parse_robots(self, response: Any, netloc: str, request: Request) -> None:
        self._store(netloc, response.body)
        await super()._parse_robots(response, netloc, request)

    def _shared(self, netloc: str, body: bytes) -> RobotParser | None:
        parser = None
        if body != UNAVAILABLE:
            parser = build_from_crawler(self._parserimpl, self.crawler, body)
        self._parsers[netloc] = parser
        return parser

    def _store(self, netloc: str, body: bytes, *, only_new: bool = False) -> None:
        try:
            self.link.call(self.link.client.set, self.keys.robots(netloc), body, nx=only_new)
        except BackendLost:
            return
