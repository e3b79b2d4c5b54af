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

    def pooled(self) -> redis.Redis:
        """A client of its own for another thread, on the same connection pool."""
        return redis.Redis(connection_pool=self.client.connection_pool)

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
    StartError naming the URL otherwise. For the reactor's thread only (`pooled` for others)."""
    url = str(settings.get("REDIS_URL") or "")
    location = masked(url)
    try:
        pooled = get_redis_from_settings(settings)
    except ValueError as exc:
        raise StartError(f"REDIS_URL {location}: not a Redis URL ({exc})") from None
    # One connection for the reactor's calls: the pool's check of a connection it hands out
    # (a poll of its socket) is a quarter of the client's CPU a round trip. Not thread-safe:
    # another thread (the heartbeat) takes a client of its own on the same pool (`pooled`
    # below, RedisLink.pooled).
    try:  # (the single connection connects as the client is made)
        client = redis.Redis(connection_pool=pooled.connection_pool, single_connection_client=True)
        client.ping()
    except redis.RedisError as exc:
        pooled.close()
        raise StartError(f"REDIS_URL {location}: cannot connect ({exc})") from None
    # The pool is closed with this client, not when `pooled` is collected.
    client.auto_close_connection_pool, pooled.auto_close_connection_pool = True, False
    return RedisLink(client, location)
