"""The worker's connection to Redis, failing closed.

Connecting is checked at start (`connect`: StartError, one line, exit 2). After that, the first
Redis error is logged once as an ERROR naming the server, stops the worker (`on_lost`), and
makes every later call fail at once (`BackendLost`), even if the server answers again: a
worker that missed one write must not acknowledge anything after it, or a request whose
article was never journaled would be taken as done."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from scrapy.settings import BaseSettings
from scrapy_redis.connection import get_redis_from_settings

from newsagg.errors import StartError
from newsagg.state.redis import masked

logger = logging.getLogger(__name__)

T = TypeVar("T")


class BackendLost(Exception):
    """Redis failed once in this worker: nothing more is asked of it."""


class RedisLink:
    def __init__(self, client: redis.Redis, location: str) -> None:
        self.client = client
        self.location = location
        self.lost: str | None = None  # the one-line cause, once lost
        self.on_lost: Callable[[], None] | None = None

    def call(self, action: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if self.lost is not None:
            raise BackendLost(self.lost)
        try:
            return action(*args, **kwargs)
        except redis.RedisError as exc:
            self.fail(exc)
            raise BackendLost(self.lost) from None

    def fail(self, exc: BaseException) -> None:
        if self.lost is not None:
            return
        self.lost = f"{self.location}: connection lost ({type(exc).__name__}: {exc})"
        logger.error("redis: %s; this worker stops", self.lost)
        if self.on_lost is not None:
            self.on_lost()


def connect(settings: BaseSettings) -> RedisLink:
    """A client for `REDIS_URL` (and scrapy-redis's `REDIS_PARAMS`), that has answered a PING;
    StartError naming the URL otherwise."""
    url = str(settings.get("REDIS_URL") or "")
    location = masked(url)
    try:
        client = get_redis_from_settings(settings)
    except ValueError as exc:
        raise StartError(f"REDIS_URL {location}: not a Redis URL ({exc})") from None
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        raise StartError(f"REDIS_URL {location}: cannot connect ({exc})") from None
    return RedisLink(client, location)
