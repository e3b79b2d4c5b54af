"""A function mapped over a stream by `workers` processes, the caller's own among them,
results in the stream's order, with a bounded number of items in flight (so memory stays flat
however long the stream is). A spawned process that dies (killed, out of memory) breaks the
map with `WorkerLost`: its batches' results would otherwise never come."""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

BATCH = 32  # items per task: amortizes the pickling round trip
IN_FLIGHT = 4  # tasks queued per spawned process
# Batches the caller may have mapped ahead of the oldest one sent out: enough to keep it busy
# while the spawned processes start (about 1.5 s of imports); only results wait (no bodies).
MAPPED_AHEAD = 16


class WorkerLost(Exception):
    """A spawned process ended without giving back the batches it held."""


class OrderedPool:
    """`workers` processes map: `workers - 1` spawned ones and the caller's, each set up once
    by `initializer(*initargs)`. Spawned, not forked: the caller runs an event loop and
    threads. The caller maps a batch itself whenever the oldest batch sent is not back yet,
    so it is never idle and the share it takes adjusts to what else it has to do (the item
    pipelines, the exporter): N processes on N cores, not N + 1. `start` spawns the others
    ahead of the first `map`, so they import and set up while the caller does too.

    concurrent.futures' executor, not multiprocessing.Pool: a Pool replaces a dead process
    and leaves the results it held pending for ever; the executor fails them."""

    def __init__(
        self, workers: int, initializer: Callable[..., None], initargs: tuple[Any, ...]
    ) -> None:
        self.workers = workers
        self.initializer = initializer
        self.initargs = initargs
        self.executor: ProcessPoolExecutor | None = None
        self.sent = 0  # batches mapped by the spawned processes
        self.here = 0  # and by the caller (all of them with one worker)

    def start(self) -> None:
        if self.workers > 1 and self.executor is None:
            self.executor = ProcessPoolExecutor(
                self.workers - 1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_set_up_spawned,
                initargs=(self.initializer, *self.initargs),
            )
            # The executor spawns a process per task submitted while none is idle: one no-op
            # each starts them all now.
            for _ in range(self.workers - 1):
                self.executor.submit(int)

    def map(self, function: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """`map(function, items)`, in the processes; `WorkerLost` if a spawned one dies."""
        self.initializer(*self.initargs)
        if self.workers <= 1:
            for batch in batched(items, BATCH):
                self.here += 1
                yield from map(function, batch)
            return
        self.start()
        assert self.executor is not None
        try:
            yield from self._map(self.executor, function, items)
        except BrokenProcessPool as exc:
            raise WorkerLost(str(exc)) from exc

    def _map(
        self, executor: ProcessPoolExecutor, function: Callable[[T], R], items: Iterable[T]
    ) -> Iterator[R]:
        limit = (self.workers - 1) * IN_FLIGHT
        batches = batched(items, BATCH)
        pending: deque[Future[list[R]] | Mapped[R]] = deque()
        sent = 0  # of the pending batches, those in the spawned processes
        for batch in batches:
            pending.append(executor.submit(_run_batch, function, batch))
            self.sent += 1
            sent += 1
            while sent >= limit:
                if self._map_here(pending, limit) and (batch := next(batches, None)):
                    pending.append(Mapped(_run_batch(function, batch)))
                    self.here += 1
                    continue
                done = pending.popleft()
                sent -= isinstance(done, Future)
                yield from done.result()
        while pending:
            yield from pending.popleft().result()

    @staticmethod
    def _map_here(pending: deque[Future[Any] | Mapped[Any]], limit: int) -> bool:
        """Whether the caller maps the next batch itself: the oldest one sent is not back (and
        it has not mapped MAPPED_AHEAD batches behind it)."""
        return len(pending) < limit + MAPPED_AHEAD and not pending[0].done()

    def close(self) -> None:
        """Stop the spawned processes (a run that stops early: the batches not started are
        dropped, the few started are let finish)."""
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None


class Mapped(Generic[R]):
    """A batch the caller mapped itself, waiting in line with the ones sent out."""

    def __init__(self, results: list[R]) -> None:
        self.results = results

    def done(self) -> bool:
        return True

    def result(self) -> list[R]:
        return self.results


def _set_up_spawned(initializer: Callable[..., None], *initargs: Any) -> None:
    """In a spawned process: end it when the caller ends, however (a SIGKILL runs no cleanup,
    and the executor's queues, whose ends it holds itself, would keep it waiting for ever),
    then `initializer(*initargs)`."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()
    initializer(*initargs)


def _exit_with(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


def batched(items: Iterable[T], size: int) -> Iterator[tuple[T, ...]]:
    """itertools.batched, which Python 3.11 lacks."""
    iterator = iter(items)
    while batch := tuple(islice(iterator, size)):
        yield batch


def _run_batch(function: Callable[[T], R], batch: tuple[T, ...]) -> list[R]:
    return [function(item) for item in batch]
