"""A run's scratch directories in the system's temporary directory (TMPDIR): the spool of
articles waiting for their decision, a re-extraction's throwaway state. Each is named by the
process that made it, `newsagg-{kind}-{pid}-{random}`, so that the next run of that kind
removes those a killed process left (a SIGKILL runs no cleanup); the others, a live
process's, are left alone. And a run's scratch databases, which need no such care."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import tempfile
import weakref
from pathlib import Path

logger = logging.getLogger(__name__)


def scratch_dir(kind: str) -> Path:
    """A new scratch directory of this process, after removing those of dead processes."""
    remove_stale(kind)
    return Path(tempfile.mkdtemp(prefix=f"newsagg-{kind}-{os.getpid()}-"))


def scratch_database(schema: str) -> sqlite3.Connection:
    """A private temporary SQLite database (the empty file name): it lives in a bounded page
    cache and spills to a file in TMPDIR that SQLite unlinks as soon as it opens it, so a
    killed process leaves nothing. Made with `schema`, then in one transaction for its life
    (no commit per statement), without a journal: nothing in it outlives the run."""
    database = sqlite3.connect("", isolation_level=None)
    database.execute("PRAGMA journal_mode = OFF")
    database.execute("PRAGMA synchronous = OFF")
    database.executescript(schema)  # (commits first: before the transaction)
    database.execute("BEGIN")
    return database


class ScratchSet:
    """A set of strings in a scratch database: for one a run would otherwise hold in memory
    whole (the article URLs it has met)."""

    def __init__(self) -> None:
        self.db = scratch_database("CREATE TABLE member (value TEXT PRIMARY KEY) WITHOUT ROWID")
        weakref.finalize(self, self.db.close)

    def add(self, value: str) -> bool:
        """Add `value`; whether it was new."""
        return self.db.execute("INSERT OR IGNORE INTO member VALUES (?)", (value,)).rowcount == 1


def remove_stale(kind: str) -> list[Path]:
    """Remove the scratch directories of `kind` whose process is gone; returns them."""
    removed = []
    for path in Path(tempfile.gettempdir()).glob(f"newsagg-{kind}-*-*"):
        pid = path.name.removeprefix(f"newsagg-{kind}-").split("-", 1)[0]
        if pid.isdigit() and _ours(path) and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    if removed:
        logger.info("scratch: removed %d %s directories of killed runs", len(removed), kind)
    return removed


def _ours(path: Path) -> bool:
    """A directory of this user's (a shared /tmp holds others')."""
    try:
        return path.is_dir() and path.stat().st_uid == os.getuid()
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
