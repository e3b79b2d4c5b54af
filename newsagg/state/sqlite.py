"""The state in one SQLite file, in WAL mode: readers never block, and a run's articles are
written in one transaction, so a process killed at any moment leaves the file as it was."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from newsagg.errors import StateError
from newsagg.state.store import (
    IN_MEMORY,
    ListingRecord,
    NearCandidate,
    SeenRecord,
    StoredArticle,
)

SCHEMA_VERSION = "1"
BUSY_TIMEOUT_S = 30  # another crawl committing to the same file: wait this long for its lock
CHUNK = 500  # parameters per IN (...) query

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles (
    pk INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    id TEXT NOT NULL,
    url TEXT NOT NULL,
    num INTEGER NOT NULL,
    content_hash TEXT,
    published TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    duplicate_of TEXT,
    signature BLOB,
    UNIQUE (site, id)
);
CREATE INDEX articles_by_hash ON articles (site, content_hash);
CREATE TABLE aliases (
    site TEXT NOT NULL,
    url TEXT NOT NULL,
    id TEXT NOT NULL,
    PRIMARY KEY (site, url)
) WITHOUT ROWID;
CREATE TABLE near_index (
    key INTEGER NOT NULL,
    article INTEGER NOT NULL,
    PRIMARY KEY (key, article)
) WITHOUT ROWID;
CREATE INDEX near_index_by_article ON near_index (article);
CREATE TABLE listings (
    site TEXT NOT NULL,
    url TEXT NOT NULL,
    frontier INTEGER NOT NULL,
    updated TEXT NOT NULL,
    PRIMARY KEY (site, url)
) WITHOUT ROWID;
"""
ARTICLE_COLUMNS = "site, id, url, num, content_hash, published, first_seen, last_seen, duplicate_of"


class SqliteStateStore:
    """`StateStore` on one SQLite file (or `:memory:`)."""

    def __init__(self, connection: sqlite3.Connection, location: str) -> None:
        self.connection = connection
        self.location = location

    @classmethod
    def open(cls, location: str) -> Self:
        """Open the file, creating it (and its directory) when absent. Anything else that is
        not a newsagg state file, or a damaged or unwritable one, raises `StateError`."""
        target = location
        if location != IN_MEMORY:
            path = Path(location).expanduser()
            if path.exists() and not path.is_file():
                raise StateError(f"state {path}: not a file")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StateError(f"state {path}: cannot create its directory: {exc}") from exc
            target = str(path)
        try:
            connection = sqlite3.connect(target, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as exc:
            raise StateError(f"state {target}: cannot be opened: {exc}") from exc
        store = cls(connection, target)
        try:
            store._prepare()
        except sqlite3.Error as exc:
            connection.close()
            raise StateError(f"state {target}: cannot be opened: {exc}") from exc
        except StateError:
            connection.close()
            raise
        return store

    def _prepare(self) -> None:
        """Check before changing anything: a file that is not ours is left byte for byte."""
        db = self.connection
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
        if tables and ("meta" not in tables or "articles" not in tables):
            raise StateError(
                f"state {self.location}: not a newsagg state file "
                f"(it holds {', '.join(sorted(tables))})"
            )
        if tables:
            version = self._meta("schema")
            if version != SCHEMA_VERSION:
                raise StateError(
                    f"state {self.location}: schema version {version}, this newsagg reads "
                    f"{SCHEMA_VERSION}"
                )
            check = [row[0] for row in db.execute("PRAGMA quick_check")]
            if check != ["ok"]:
                raise StateError(f"state {self.location}: damaged file ({'; '.join(check[:3])})")
        mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode not in ("wal", "memory"):
            raise StateError(f"state {self.location}: cannot use WAL mode (journal mode {mode})")
        db.execute("PRAGMA synchronous=FULL")  # a committed run survives a power cut too
        with self._transaction():  # a read-only file fails now, not after the crawl
            if not tables:
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.executemany(
                    "INSERT INTO meta (key, value) VALUES (?, ?)",
                    [("schema", SCHEMA_VERSION), ("created", _now())],
                )

    def _transaction(self) -> _Transaction:
        return _Transaction(self.connection)

    def _meta(self, key: str) -> str | None:
        row = self.connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    # --- reads ---------------------------------------------------------------------------------

    def count(self, site: str | None = None) -> int:
        if site is None:
            return self.connection.execute("SELECT count(*) FROM articles").fetchone()[0]
        return self.connection.execute(
            "SELECT count(*) FROM articles WHERE site = ?", (site,)
        ).fetchone()[0]

    def known(self, site: str, links: Mapping[str, str]) -> set[str]:
        by_id: dict[str, list[str]] = {}
        for url, article_id in links.items():
            by_id.setdefault(article_id, []).append(url)
        found: set[str] = set()
        for ids in _chunks(list(by_id)):
            rows = self.connection.execute(
                f"SELECT id FROM articles WHERE site = ? AND id IN ({_marks(ids)})", (site, *ids)
            )
            for (article_id,) in rows:
                found.update(by_id[article_id])
        rest = [url for url in links if url not in found]
        for urls in _chunks(rest):
            rows = self.connection.execute(
                f"SELECT url FROM aliases WHERE site = ? AND url IN ({_marks(urls)})",
                (site, *urls),
            )
            found.update(url for (url,) in rows)
        return found

    def article(self, site: str, article_id: str) -> StoredArticle | None:
        row = self.connection.execute(
            f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE site = ? AND id = ?",
            (site, article_id),
        ).fetchone()
        return StoredArticle(*row) if row else None

    def first_with_hash(
        self, site: str, content_hash: str, exclude_id: str
    ) -> StoredArticle | None:
        row = self.connection.execute(
            f"SELECT {ARTICLE_COLUMNS} FROM articles"
            " WHERE site = ? AND content_hash = ? AND id != ?"
            " ORDER BY duplicate_of IS NOT NULL, num LIMIT 1",
            (site, content_hash, exclude_id),
        ).fetchone()
        return StoredArticle(*row) if row else None

    def near_candidates(
        self, site: str, band_keys: Sequence[int], exclude_id: str
    ) -> list[NearCandidate]:
        if not band_keys:
            return []
        columns = ", ".join(f"a.{name.strip()}" for name in ARTICLE_COLUMNS.split(","))
        # CROSS JOIN fixes the loop order: band keys first (a few rows by primary key), then
        # their articles. With a plain JOIN SQLite scans every article of the site instead.
        rows = self.connection.execute(
            f"SELECT DISTINCT {columns}, a.signature FROM near_index n"
            " CROSS JOIN articles a ON a.pk = n.article"
            f" WHERE n.key IN ({_marks(band_keys)}) AND a.site = ? AND a.id != ?"
            " AND a.signature IS NOT NULL",
            (*band_keys, site, exclude_id),
        )
        return [NearCandidate(StoredArticle(*row[:-1]), row[-1]) for row in rows]

    def frontier(self, site: str, listing_url: str) -> int | None:
        row = self.connection.execute(
            "SELECT frontier FROM listings WHERE site = ? AND url = ?", (site, listing_url)
        ).fetchone()
        return row[0] if row else None

    def index_params(self) -> str | None:
        return self._meta("near_index")

    # --- writes --------------------------------------------------------------------------------

    def rebuild_index(
        self, params: str, band_keys: Callable[[str, bytes], Sequence[int]] | None
    ) -> int:
        db = self.connection
        count = 0
        try:
            with self._transaction():
                if band_keys is not None:
                    db.execute("DELETE FROM near_index")
                    rows = db.execute(
                        "SELECT pk, site, signature FROM articles WHERE signature IS NOT NULL"
                    ).fetchall()
                    for pk, site, signature in rows:
                        db.executemany(
                            "INSERT OR IGNORE INTO near_index (key, article) VALUES (?, ?)",
                            [(key, pk) for key in band_keys(site, signature)],
                        )
                        count += 1
                db.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('near_index', ?)", (params,)
                )
        except sqlite3.Error as exc:
            raise StateError(f"state {self.location}: cannot rebuild the index: {exc}") from exc
        return count

    def record(self, records: Iterable[SeenRecord], listings: Iterable[ListingRecord] = ()) -> int:
        db = self.connection
        count = 0
        try:
            with self._transaction():
                for record in records:
                    self._write(db, record)
                    count += 1
                for listing in listings:
                    if listing.frontier is None:
                        db.execute(
                            "DELETE FROM listings WHERE site = ? AND url = ?",
                            (listing.site, listing.url),
                        )
                    else:
                        db.execute(
                            "INSERT OR REPLACE INTO listings (site, url, frontier, updated)"
                            " VALUES (?, ?, ?, ?)",
                            (listing.site, listing.url, listing.frontier, _now()),
                        )
        except sqlite3.Error as exc:
            raise StateError(f"state {self.location}: cannot record the run: {exc}") from exc
        return count

    @staticmethod
    def _write(db: sqlite3.Connection, r: SeenRecord) -> None:
        existing = db.execute(
            "SELECT pk FROM articles WHERE site = ? AND id = ?", (r.site, r.id)
        ).fetchone()
        if r.touch_only:
            db.execute(
                "UPDATE articles SET last_seen = ? WHERE site = ? AND id = ?",
                (r.seen_at, r.site, r.id),
            )
        elif existing is None:
            cursor = db.execute(
                "INSERT INTO articles (site, id, url, num, content_hash, published, first_seen,"
                " last_seen, duplicate_of, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    *(r.site, r.id, r.url, r.num, r.content_hash, r.published),
                    *(r.seen_at, r.seen_at, r.duplicate_of, r.signature),
                ),
            )
            _index(db, cursor.lastrowid, r.band_keys)
        else:
            (pk,) = existing
            db.execute(
                "UPDATE articles SET url = ?, num = ?, content_hash = ?, published = ?,"
                " last_seen = ?, duplicate_of = ?, signature = ? WHERE pk = ?",
                (
                    *(r.url, r.num, r.content_hash, r.published),
                    *(r.seen_at, r.duplicate_of, r.signature, pk),
                ),
            )
            db.execute("DELETE FROM near_index WHERE article = ?", (pk,))
            _index(db, pk, r.band_keys)
        db.executemany(
            "INSERT OR REPLACE INTO aliases (site, url, id) VALUES (?, ?, ?)",
            [(r.site, url, r.id) for url in r.aliases if url != r.url],
        )

    def close(self) -> None:
        self.connection.close()


class _Transaction:
    """`BEGIN IMMEDIATE` ... `COMMIT`, or `ROLLBACK` on any exception."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def __enter__(self) -> None:
        self.connection.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: type[BaseException] | None, *_: Any) -> None:
        self.connection.execute("ROLLBACK" if kind is not None else "COMMIT")


def _index(db: sqlite3.Connection, pk: int | None, keys: Sequence[int]) -> None:
    db.executemany(
        "INSERT OR IGNORE INTO near_index (key, article) VALUES (?, ?)", [(k, pk) for k in keys]
    )


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
