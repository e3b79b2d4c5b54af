"""Peak RSS of a child process, sampled.

`wait4()`'s `ru_maxrss` cannot be used once the benchmark process itself has grown: Linux
starts a child's high-water mark from its parent's (subprocess forks with vfork, and exec
keeps the mark of the address space it leaves), so every child then reports at least the
parent's peak. Sampling `/proc` every 20 ms reads the child's own memory."""

from __future__ import annotations

import threading

import psutil

INTERVAL = 0.02


class PeakRss:
    """Highest RSS, in MB, of the process and of the largest process of its tree."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.main_mb = 0.0
        self.largest_mb = 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.is_set():
            try:
                main = self.process.memory_info().rss
                children = [c.memory_info().rss for c in self.process.children(recursive=True)]
            except psutil.Error:  # the process is gone (or a child went between two calls)
                self._done.wait(INTERVAL)
                continue
            self.main_mb = max(self.main_mb, main / 2**20)
            self.largest_mb = max(self.largest_mb, max([main, *children]) / 2**20)
            self._done.wait(INTERVAL)

    def stop(self) -> PeakRss:
        self._done.set()
        self._thread.join()
        return self
