"""ERROR log lines of the whole run, counted from its start to its very end.

Scrapy's own `log_count/ERROR` stops counting when the spider closes; an ERROR during the
publish step or after the engine stopped must still fail the run."""

from __future__ import annotations

import logging


class ErrorCount(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.count = 0
        self.first: str | None = None  # the first ERROR's message, for the exit line

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if self.first is None:
            try:
                self.first = f"{record.name}: {record.getMessage()}".splitlines()[0][:300]
            except Exception:  # a record whose arguments do not format: still an ERROR
                self.first = record.name

    def install(self) -> None:
        root = logging.getLogger()
        if self not in root.handlers:
            root.addHandler(self)

    def uninstall(self) -> None:
        logging.getLogger().removeHandler(self)
