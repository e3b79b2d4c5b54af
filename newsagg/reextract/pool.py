"""A function mapped over a stream by `workers` processes, the caller's own among them,
results in the stream's order, with a bounded number of items in flight (so memory stays flat
however long the stream is)."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from multiprocessing.pool import AsyncResult, Pool
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

BATCH = 32  # items per task: amortizes the pickling round trip
IN_FLIGHT = 4  # tasks queued per spawned process
# Batches the caller may have mapped ahead of the oldest one sent out: enough to keep it busy
# while the spawned processes start (about 1.5 s of imports); only results wait (no bodies).
MAPPED_AHEAD = 16


class OrderedPool:
    """`workers` processes map: `workers - 1` spawned ones and the caller's, each set up once
    by `initializer(*initargs)`. Spawned, not forked: the caller runs an event loop and
    threads. The caller maps a batch itself whenever the oldest batch sent is not back yet,
    so it is never idle and the share it takes adjusts to what else it has to do (the item
    pipelines, the exporter): N processes on N cores, not N + 1. `start` spawns the others
    ahead of the first `map`, so they import and set up while the caller does too."""

    def __init__(
        self, workers: int, initializer: Callable[..., None], initargs: tuple[Any, ...]
    ) -> None:
        self.workers = workers
        self.initializer = initializer
        self.initargs = initargs
        self.pool: Pool | None = None
        self.sent = 0  # batches mapped by the spawned processes
        self.here = 0  # and by the caller (all of them with one worker)

    def start(self) -> None:
        if self.workers > 1 and self.pool is None:
            context = multiprocessing.get_context("spawn")
            self.pool = context.Pool(
                self.workers - 1, initializer=self.initializer, initargs=self.initargs
            )

    def map(self, function: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """`map(function, items)`, in the processes."""
        self.initializer(*self.initargs)
        if self.workers <= 1:
            for batch in batched(items, BATCH):
                self.here += 1
                yield from map(function, batch)
            return
        self.start()
        assert self.pool is not None
        limit = (self.workers - 1) * IN_FLIGHT
        batches = batched(items, BATCH)
        pending: deque[AsyncResult[list[R]] | Mapped[R]] = deque()
        sent = 0  # of the pending batches, those in the spawned processes
        for batch in batches:
            pending.append(self.pool.apply_async(_run_batch, (function, batch)))
            self.sent += 1
            sent += 1
            while sent >= limit:
                if self._map_here(pending, limit) and (batch := next(batches, None)):
                    pending.append(Mapped(_run_batch(function, batch)))
                    self.here += 1
                    continue
                done = pending.popleft()
                sent -= isinstance(done, AsyncResult)
                yield from done.get()
        while pending:
            yield from pending.popleft().get()

    @staticmethod
    def _map_here(pending: deque[AsyncResult[Any] | Mapped[Any]], limit: int) -> bool:
        """Whether the caller maps the next batch itself: the oldest one sent is not back (and
        it has not mapped MAPPED_AHEAD batches behind it)."""
        return len(pending) < limit + MAPPED_AHEAD and not pending[0].ready()

    def close(self) -> None:
        """Stop the spawned processes, whatever they were doing (a run that stops early)."""
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None


class Mapped(Generic[R]):
    """A batch the caller mapped itself, waiting in line with the ones sent out."""

    def __init__(self, results: list[R]) -> None:
        self.results = results

    def ready(self) -> bool:
        return True

    def get(self) -> list[R]:
        return self.results


def batched(items: Iterable[T], size: int) -> Iterator[tuple[T, ...]]:
    """itertools.batched, which Python 3.11 lacks."""
    iterator = iter(items)
    while batch := tuple(islice(iterator, size)):
        yield batch


def _run_batch(function: Callable[[T], R], batch: tuple[T, ...]) -> list[R]:
    return [function(item) for item in batch]
