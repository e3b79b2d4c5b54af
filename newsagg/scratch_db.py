"""Private temporary SQLite databases, for what a run would otherwise hold in memory whole:
they need none of the scratch directories' care (newsagg.output.scratch), since SQLite unlinks
the file of one as soon as it opens it."""

from __future__ import annotations

import sqlite3
import weakref


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
