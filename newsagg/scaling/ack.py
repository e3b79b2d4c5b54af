"""When a request is done: after the last of what its callback produced was handled.

The scraper hands a callback's output, one at a time and in order, to the item pipelines or
the scheduler (with CONCURRENT_ITEMS=1, which NEWSAGG_BACKEND=redis requires). This spider
middleware, the outermost, adds an `Acknowledgement` after that output, so the scheduler ends
the request's lease only once every article it gave is journaled and every link it found is
queued. A worker killed before that leaves the lease, and the request is answered again; what
it gives is keyed so that answering twice writes nothing twice. Errbacks bypass spider
middlewares: the spider acknowledges a failed request itself."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy import Request
from scrapy.http import Response

from newsagg.scaling.queue import LEASE


class Acknowledgement(Request):
    """Not a request: the scheduler's note that the request holding `lease` is done."""

    def __init__(self, lease: str) -> None:
        super().__init__("data:,", dont_filter=True)
        self.lease = lease


class AcknowledgeMiddleware:
    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        lease = response.meta.get(LEASE)
        try:
            yield from result
        except Exception:
            if lease is not None:
                yield Acknowledgement(lease)
            raise
        if lease is not None:
            yield Acknowledgement(lease)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        lease = response.meta.get(LEASE)
        try:
            async for output in result:
                yield output
        except Exception:
            if lease is not None:
                yield Acknowledgement(lease)
            raise
        if lease is not None:
            yield Acknowledgement(lease)
