"""Retries that back off: Scrapy's RetryMiddleware, waiting before each retry.

Scrapy 2.19 retries at once and ignores `Retry-After`. Here a retry waits `Retry-After` when the
answer gives one (seconds or an HTTP date), else NEWSAGG_RETRY_BACKOFF doubled per attempt, at
most NEWSAGG_RETRY_BACKOFF_MAX. A `Retry-After` longer than that maximum is honoured by not
retrying at all: the page becomes an `http_<status>` reject."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Self

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response
from scrapy.utils.asyncio import sleep
from scrapy.utils.response import response_status_message

from newsagg import stats as keys
from newsagg.run import run_context

logger = logging.getLogger(__name__)


class BackoffRetryMiddleware(RetryMiddleware):
    backoff: float
    backoff_max: float

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = super().from_crawler(crawler)
        config = run_context(crawler).config  # checked there: 0 <= backoff <= max
        middleware.backoff = config.retry_backoff
        middleware.backoff_max = config.retry_backoff_max
        return middleware

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        reason = response_status_message(response.status)
        asked = retry_after(response.headers.get(b"Retry-After"))
        if asked is not None and asked > self.backoff_max:
            self.crawler.stats.inc_value(keys.RETRY_AFTER_TOO_LONG)
            logger.warning(
                "%s: Retry-After %.0f s is over NEWSAGG_RETRY_BACKOFF_MAX; not retried",
                request.url,
                asked,
            )
            return response
        retry = self._retry(request, reason)
        if retry is None:
            return response
        await self.wait(request, asked)
        return retry

    async def process_exception(
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry"):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await self.wait(request, None)
        return retry

    async def wait(self, request: Request, asked: float | None) -> None:
        attempt = request.meta.get("retry_times", 0)  # retries already made before this one
        delay = asked if asked is not None else min(self.backoff * 2**attempt, self.backoff_max)
        if delay > 0:
            self.crawler.stats.inc_value(keys.RETRY_WAITED_SECONDS, round(delay))
            logger.debug("%s: retrying in %.1f s", request.url, delay)
            await sleep(delay)


def retry_after(value: bytes | None, now: datetime | None = None) -> float | None:
    """Seconds a `Retry-After` header asks to wait: delta-seconds or an HTTP date; None when
    absent or unreadable."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())
