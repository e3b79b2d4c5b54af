"""A function mapped over a stream in worker processes, results in the stream's order, with a
bounded number of items in flight (so memory stays flat however long the stream is)."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from multiprocessing.pool import Pool
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

BATCH = 32  # items per task: amortizes the pickling round trip
IN_FLIGHT = 4  # tasks queued per worker


class OrderedPool:
    """`workers` processes (none for 1: the caller's own process maps), each set up once by
    `initializer(*initargs)`. Spawned, not forked: the caller runs an event loop and threads.
    `start` spawns them ahead of the first `map`, so they import and set up while the caller
    does too."""

    def __init__(
        self, workers: int, initializer: Callable[..., None], initargs: tuple[Any, ...]
    ) -> None:
        self.workers = workers
        self.initializer = initializer
        self.initargs = initargs
        self.pool: Pool | None = None

    def start(self) -> None:
        if self.workers > 1 and self.pool is None:
            context = multiprocessing.get_context("spawn")
            self.pool = context.Pool(
                self.workers, initializer=self.initializer, initargs=self.initargs
            )

    def map(self, function: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """`map(function, items)`, in the workers."""
        if self.workers <= 1:
            self.initializer(*self.initargs)
            yield from map(function, items)
            return
        self.start()
        assert self.pool is not None
        pending: deque[Any] = deque()
        for batch in batched(items, BATCH):
            pending.append(self.pool.apply_async(_run_batch, (function, batch)))
            while len(pending) >= self.workers * IN_FLIGHT:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()

    def close(self) -> None:
        """Stop the workers, whatever they were doing (a run that stops early)."""
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None


def batched(items: Iterable[T], size: int) -> Iterator[tuple[T, ...]]:
    """itertools.batched, which Python 3.11 lacks."""
    iterator = iter(items)
    while batch := tuple(islice(iterator, size)):
        yield batch


def _run_batch(function: Callable[[T], R], batch: tuple[T, ...]) -> list[R]:
    return [function(item) for item in batch]
