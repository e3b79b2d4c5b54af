"""Stage timers: how many seconds a crawl spent in each stage (parse, extraction, dedupe...).

The RunContext holds the crawl's timer: `with timer("extraction"): ...` adds the block's
perf_counter seconds to the stage. A stage timed inside another is exclusive: the outer stage
does not count it. With `NEWSAGG_STAGE_TIMERS` off (the default) the timer is `no_timer`, which
returns one shared do-nothing context. The `StageTimers` extension writes the sums to the stats
as `newsagg/time/<stage>` when the spider closes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from time import perf_counter

Timer = Callable[[str], AbstractContextManager[object]]

_UNTIMED = nullcontext()


def no_timer(stage: str) -> AbstractContextManager[object]:
    """The timer when timing is off."""
    return _UNTIMED


class StageTimer:
    """Seconds per stage, summed; nested stages are exclusive."""

    def __init__(self, clock: Callable[[], float] = perf_counter) -> None:
        self.clock = clock
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self._inner: list[float] = []  # per open stage: seconds of the stages timed inside it

    def __call__(self, stage: str) -> AbstractContextManager[object]:
        return self._timed(stage)

    @contextmanager
    def _timed(self, stage: str) -> Iterator[None]:
        self._inner.append(0.0)
        start = self.clock()
        try:
            yield
        finally:
            elapsed = self.clock() - start
            self.seconds[stage] += elapsed - self._inner.pop()
            if self._inner:
                self._inner[-1] += elapsed
