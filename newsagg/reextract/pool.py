"""A function mapped over a stream in worker processes, results in the stream's order, with a
bounded number of items in flight (so memory stays flat however long the stream is)."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

BATCH = 32  # items per task: amortizes the pickling round trip
IN_FLIGHT = 4  # tasks queued per worker


def ordered_map(
    function: Callable[[T], R],
    items: Iterable[T],
    workers: int,
    *,
    initializer: Callable[..., None],
    initargs: tuple[Any, ...],
) -> Iterator[R]:
    """`map(function, items)`, run by `workers` processes (in this one for 1). The workers
    are spawned, not forked: the caller runs an event loop and threads."""
    if workers <= 1:
        initializer(*initargs)
        yield from map(function, items)
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=initializer, initargs=initargs) as pool:
        pending: deque[Any] = deque()
        for batch in batched(items, BATCH):
            pending.append(pool.apply_async(_run_batch, (function, batch)))
            while len(pending) >= workers * IN_FLIGHT:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


def batched(items: Iterable[T], size: int) -> Iterator[tuple[T, ...]]:
    """itertools.batched, which Python 3.11 lacks."""
    iterator = iter(items)
    while batch := tuple(islice(iterator, size)):
        yield batch


def _run_batch(function: Callable[[T], R], batch: tuple[T, ...]) -> list[R]:
    return [function(item) for item in batch]
