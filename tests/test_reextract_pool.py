"""OrderedPool in real spawned processes: results in the stream's order, the caller mapping
its share while the spawned processes are busy."""

from __future__ import annotations

import multiprocessing
import os
import time

from newsagg.reextract.pool import BATCH, OrderedPool

setups: list[int] = []


def note_start(tag: int) -> None:
    setups.append(tag)


def slow_in_spawned(item: int) -> tuple[int, bool]:
    """The item's square, and whether a spawned process computed it (slowly: the caller, not
    waiting for it, maps the batches behind)."""
    spawned = multiprocessing.parent_process() is not None
    if spawned:
        time.sleep(0.002)
    return item * item, spawned


def test_results_come_in_order_from_the_caller_and_the_spawned_processes() -> None:
    setups.clear()
    pool = OrderedPool(2, note_start, (os.getpid(),))
    try:
        results = list(pool.map(slow_in_spawned, range(50 * BATCH + 7)))
    finally:
        pool.close()
    assert [square for square, _ in results] == [n * n for n in range(50 * BATCH + 7)]
    assert any(spawned for _, spawned in results)
    assert pool.sent + pool.here == 51
    assert pool.here > 0
    assert setups == [os.getpid()]  # the caller set itself up once, as each spawned process


def test_one_worker_maps_everything_in_the_caller() -> None:
    setups.clear()
    pool = OrderedPool(1, note_start, (0,))
    results = list(pool.map(slow_in_spawned, range(100)))
    assert results == [(n * n, False) for n in range(100)]
    assert (pool.sent, pool.here, pool.executor) == (0, 4, None)
    assert setups == [0]
