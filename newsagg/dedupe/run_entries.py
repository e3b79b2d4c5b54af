"""The run's entries, and what deciding them needs, in a private temporary SQLite database
(`scratch_database`): every article of a run waits for the publish step's canonical choice,
so what one kept in memory would be paid per article for the whole run; here a run of any
size costs a bounded page cache.

Tables: `entry` (each article as the dedupe stage looked it up, in arrival order, with its
canonical-order columns), `text_row` (the row of each distinct text in `RunTexts`), `band`
(the band keys of each row), `pair` (rows whose texts share a band key) and `todo` (the
undecided entries in canonical order), both made when the run is decided, and what deciding
writes: `decision` (in decision order), `decided_id` (ids decided), `first_copy` (the first
registered entry of each text), `canon` (registered entries with a text, by row)."""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Sequence

from newsagg.dedupe.entry import Decision, Entry, Outcome, canonical_order
from newsagg.dedupe.run_texts import NO_ROW
from newsagg.scratch_db import scratch_database

_SCHEMA = """
CREATE TABLE entry (
    idx INTEGER PRIMARY KEY, id TEXT NOT NULL, num INTEGER NOT NULL, url TEXT NOT NULL,
    content_hash TEXT, published TEXT, aliases TEXT NOT NULL, stored INTEGER NOT NULL,
    unchanged INTEGER NOT NULL, stored_exact TEXT, stored_near TEXT, row INTEGER NOT NULL,
    day TEXT NOT NULL, agency INTEGER NOT NULL, slug TEXT NOT NULL
);
CREATE TABLE text_row (content_hash TEXT PRIMARY KEY, row INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE band (key INTEGER NOT NULL, row INTEGER NOT NULL);
CREATE TABLE decision (
    position INTEGER PRIMARY KEY, idx INTEGER NOT NULL UNIQUE, outcome TEXT NOT NULL,
    duplicate_of TEXT, kind TEXT, write INTEGER NOT NULL
);
CREATE TABLE decided_id (id TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE first_copy (
    content_hash TEXT PRIMARY KEY, id TEXT NOT NULL, canonical TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE canon (
    row INTEGER NOT NULL, day TEXT NOT NULL, agency INTEGER NOT NULL, slug TEXT NOT NULL,
    num INTEGER NOT NULL, id TEXT NOT NULL, canonical TEXT NOT NULL
);
CREATE INDEX canon_row ON canon (row);
"""
_ENTRY_COLUMNS = (
    "idx, id, num, url, content_hash, published, aliases, stored, unchanged, stored_exact,"
    " stored_near, row"
)
_ORDER = "day, agency, slug, num"  # canonical_order's key, column by column
_CANON_ORDER = ", ".join(f"c.{column}" for column in _ORDER.split(", "))
_ALIAS_SEPARATOR = "\n"  # never in a URL


class RunEntries:
    def __init__(self, agencies: frozenset[str]) -> None:
        self.agencies = agencies
        self.count = 0
        self.db = scratch_database(_SCHEMA)
        weakref.finalize(self, self.db.close)

    def __len__(self) -> int:
        return self.count

    # --- while the run arrives -----------------------------------------------------------

    def admit(self, entry: Entry) -> int:
        """Store an entry; its index, in arrival order."""
        index = self.count
        self.db.execute(
            f"INSERT INTO entry ({_ENTRY_COLUMNS}, day, agency, slug)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                index,
                entry.id,
                entry.num,
                entry.url,
                entry.content_hash,
                entry.published,
                _ALIAS_SEPARATOR.join(entry.aliases),
                entry.stored,
                entry.unchanged,
                entry.stored_exact,
                entry.stored_near,
                entry.row,
                # day, agency, slug of its canonical order (its num is the column above)
                *canonical_order(entry.published, entry.id, self.agencies)[:3],
            ),
        )
        self.count += 1
        return index

    def row_of(self, content_hash: str) -> int | None:
        """The row of a text met before in this run."""
        found = self.db.execute(
            "SELECT row FROM text_row WHERE content_hash = ?", (content_hash,)
        ).fetchone()
        return found[0] if found is not None else None

    def add_text(self, content_hash: str | None, row: int, keys: Sequence[int]) -> None:
        """A text's row (by its hash) and band keys."""
        if content_hash:
            self.db.execute("INSERT INTO text_row VALUES (?, ?)", (content_hash, row))
        if keys:  # one statement of many rows: executemany steps through Python per row
            values = ", ".join(["(?, ?)"] * len(keys))
            self.db.execute(
                f"INSERT INTO band VALUES {values}", [v for key in keys for v in (key, row)]
            )

    # --- deciding ------------------------------------------------------------------------

    def undecided(self) -> Iterator[Entry]:
        """The entries not yet decided, in canonical order (arrival order on a tie). Read from
        a copy made first (`todo`): deciding them as they come writes to tables that a query
        still being read must not see change (SQLite leaves that undefined)."""
        self._pair_texts()
        for statement in (
            "DROP TABLE IF EXISTS todo",
            f"CREATE TABLE todo AS SELECT {_ENTRY_COLUMNS} FROM entry"
            f" WHERE idx NOT IN (SELECT idx FROM decision) ORDER BY {_ORDER}, idx",
        ):
            self.db.execute(statement)
        for row in self.db.execute(f"SELECT {_ENTRY_COLUMNS} FROM todo ORDER BY rowid"):
            yield _entry(row)

    def _pair_texts(self) -> None:
        """Every pair of rows whose texts share a band key, both ways (`pair`): one pass over
        the sorted keys, so that deciding an entry is one lookup of its row, not one per band."""
        for statement in (
            "DROP INDEX IF EXISTS band_key",
            "DROP TABLE IF EXISTS pair",
            "CREATE INDEX band_key ON band (key)",
            "CREATE TABLE pair AS SELECT DISTINCT a.row AS a, b.row AS b"
            " FROM band a JOIN band b ON b.key = a.key AND b.row != a.row",
            "CREATE INDEX pair_a ON pair (a)",
        ):
            self.db.execute(statement)

    def first_decision_of(self, article_id: str) -> bool:
        """Whether `article_id` is decided for the first time in this run (it is now)."""
        cursor = self.db.execute("INSERT OR IGNORE INTO decided_id VALUES (?)", (article_id,))
        return cursor.rowcount == 1

    def first_copy(self, content_hash: str) -> tuple[str, str] | None:
        """Id and canonical URL of the first registered entry with this text."""
        return self.db.execute(
            "SELECT id, canonical FROM first_copy WHERE content_hash = ?", (content_hash,)
        ).fetchone()

    def sharing(self, row: int, article_id: str) -> Iterator[tuple[str, int]]:
        """Canonical URL and row of each registered entry (not `article_id`) whose text
        shares a band with the text of `row`, in canonical order."""
        cursor = self.db.execute(
            "SELECT c.canonical, c.row FROM pair p JOIN canon c ON c.row = p.b"
            f" WHERE p.a = ? AND c.id != ? ORDER BY {_CANON_ORDER}",
            (row, article_id),
        )
        yield from cursor

    def decide(self, entry: Entry, decision: Decision) -> None:
        self.db.execute(
            "INSERT INTO decision (idx, outcome, duplicate_of, kind, write) VALUES (?, ?, ?, ?, ?)",
            (
                entry.index,
                str(decision.outcome),
                decision.duplicate_of,
                decision.kind,
                decision.write,
            ),
        )

    def register(self, entry: Entry, canonical: str) -> None:
        """A decided entry others may be copies of (by its text, and by its row's bands)."""
        if entry.content_hash:
            self.db.execute(
                "INSERT OR IGNORE INTO first_copy VALUES (?, ?, ?)",
                (entry.content_hash, entry.id, canonical),
            )
        if entry.row != NO_ROW:
            order = canonical_order(entry.published, entry.id, self.agencies)
            self.db.execute(
                "INSERT INTO canon VALUES (?, ?, ?, ?, ?, ?, ?)",
                (entry.row, *order, entry.id, canonical),
            )

    # --- once decided --------------------------------------------------------------------

    def decision(self, index: int) -> Decision | None:
        found = self.db.execute(
            "SELECT outcome, duplicate_of, kind, write FROM decision WHERE idx = ?", (index,)
        ).fetchone()
        return _decision(found) if found is not None else None

    def decided(self) -> Iterator[Entry]:
        """The decided entries, with their decisions, in the order they were decided."""
        columns = ", ".join(f"e.{name.strip()}" for name in _ENTRY_COLUMNS.split(","))
        cursor = self.db.execute(
            f"SELECT {columns}, d.outcome, d.duplicate_of, d.kind, d.write"
            " FROM decision d JOIN entry e ON e.idx = d.idx ORDER BY d.position"
        )
        for row in cursor:
            entry = _entry(row[:12])
            entry.decision = _decision(row[12:])
            yield entry

    def to_write(self) -> int:
        return self.db.execute("SELECT count(*) FROM decision WHERE write").fetchone()[0]

    def arrived(self) -> Iterator[Entry]:
        """Every entry, in arrival order, as the dedupe stage left it."""
        for row in self.db.execute(f"SELECT {_ENTRY_COLUMNS} FROM entry ORDER BY idx"):
            yield _entry(row)


def _entry(row: tuple) -> Entry:
    index, article_id, num, url, content_hash, published, aliases, *rest = row
    stored, unchanged, stored_exact, stored_near, text_row = rest
    return Entry(
        index=index,
        id=article_id,
        num=num,
        url=url,
        content_hash=content_hash,
        published=published,
        aliases=tuple(aliases.split(_ALIAS_SEPARATOR)) if aliases else (),
        stored=bool(stored),
        unchanged=bool(unchanged),
        stored_exact=stored_exact,
        stored_near=stored_near,
        row=text_row,
    )


def _decision(row: tuple) -> Decision:
    outcome, duplicate_of, kind, write = row
    return Decision(Outcome(outcome), duplicate_of, kind, bool(write))
