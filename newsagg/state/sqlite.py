"""The state in one SQLite file, in WAL mode: readers never block, and every change is one
transaction, so a process killed at any moment leaves the file as it was before or after it.
Versions 1 and 2 are migrated in place when opened (one transaction).

A run reaches the state in two transactions: `begin_run` journals it (`runs` row *pending*,
its article and listing rows in `pending_*`), `commit_run` applies those rows to `articles`,
`aliases`, `near_index` and `listings`. Reads see only applied rows."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, Self

from newsagg.errors import StateError
from newsagg.state.lock import SiteLock, lock_path
from newsagg.state.store import (
    COMMITTED,
    DISCARDED,
    IN_MEMORY,
    PENDING,
    PUBLISHED,
    ListingRecord,
    NearCandidate,
    RunFile,
    RunJournal,
    SeenRecord,
    StoredArticle,
)
from newsagg.timefmt import utc_stamp

SCHEMA_VERSION = "3"
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
"""
# Version 2: listing frontiers are article ids (JSON), and the run journal.
SCHEMA_V2 = """
CREATE TABLE listings (
    site TEXT NOT NULL,
    url TEXT NOT NULL,
    frontier TEXT NOT NULL,
    updated TEXT NOT NULL,
    PRIMARY KEY (site, url)
) WITHOUT ROWID;
CREATE TABLE runs (
    run_id TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    status TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    files TEXT NOT NULL,
    manifest TEXT,
    manifest_path TEXT,
    latest_path TEXT
);
CREATE INDEX runs_by_site ON runs (site, status);
CREATE TABLE pending_articles (
    run_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    site TEXT NOT NULL,
    id TEXT NOT NULL,
    url TEXT NOT NULL,
    num INTEGER NOT NULL,
    seen_at TEXT NOT NULL,
    content_hash TEXT,
    published TEXT,
    duplicate_of TEXT,
    signature BLOB,
    band_keys BLOB,
    aliases TEXT NOT NULL,
    touch_only INTEGER NOT NULL,
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
CREATE TABLE pending_listings (
    run_id TEXT NOT NULL,
    site TEXT NOT NULL,
    url TEXT NOT NULL,
    frontier TEXT,
    PRIMARY KEY (run_id, site, url)
) WITHOUT ROWID;
"""
# Version 3: each article's normalized text (zlib), for exact near-duplicate decisions.
# The journal's band keys and aliases one row each, so a commit is a few set statements.
SCHEMA_V3 = """
ALTER TABLE articles ADD COLUMN text BLOB;
ALTER TABLE pending_articles ADD COLUMN text BLOB;
CREATE TABLE pending_keys (
    run_id TEXT NOT NULL,
    site TEXT NOT NULL,
    id TEXT NOT NULL,
    key INTEGER NOT NULL
);
CREATE INDEX pending_keys_by_run ON pending_keys (run_id);
CREATE TABLE pending_aliases (
    run_id TEXT NOT NULL,
    site TEXT NOT NULL,
    url TEXT NOT NULL,
    id TEXT NOT NULL
);
CREATE INDEX pending_aliases_by_run ON pending_aliases (run_id)
"""
# A commit, in this order: existing articles updated (their old band keys dropped), new ones
# inserted, then the run's band keys and aliases; `?` is the run id throughout.
COMMIT_STATEMENTS = (
    """UPDATE articles SET url = p.url, num = p.num, content_hash = p.content_hash,
        published = p.published, last_seen = p.seen_at, duplicate_of = p.duplicate_of,
        signature = p.signature, text = p.text
        FROM pending_articles p
        WHERE p.run_id = ? AND p.touch_only = 0
        AND articles.site = p.site AND articles.id = p.id""",
    """UPDATE articles SET last_seen = p.seen_at FROM pending_articles p
        WHERE p.run_id = ? AND p.touch_only = 1
        AND articles.site = p.site AND articles.id = p.id""",
    """DELETE FROM near_index WHERE article IN (SELECT a.pk FROM pending_articles p
        CROSS JOIN articles a ON a.site = p.site AND a.id = p.id
        WHERE p.run_id = ? AND p.touch_only = 0)""",
    """INSERT INTO articles (site, id, url, num, content_hash, published, first_seen, last_seen,
        duplicate_of, signature, text)
        SELECT site, id, url, num, content_hash, published, seen_at, seen_at, duplicate_of,
        signature, text FROM pending_articles p
        WHERE p.run_id = ? AND p.touch_only = 0
        AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.site = p.site AND a.id = p.id)
        ORDER BY p.seq""",
    """INSERT OR IGNORE INTO near_index (key, article) SELECT k.key, a.pk FROM pending_keys k
        CROSS JOIN articles a ON a.site = k.site AND a.id = k.id WHERE k.run_id = ?""",
    """INSERT OR REPLACE INTO aliases (site, url, id)
        SELECT site, url, id FROM pending_aliases WHERE run_id = ?""",
)
# A version-1 listing frontier was a number (the lowest id reached, which compared ids of
# different outlets): kept as an empty frontier, which no page can reach, so the listing is
# paginated to its end once before it may stop on known pages again.
MIGRATE_V1 = (
    """
CREATE TABLE listings_v1 AS SELECT * FROM listings;
DROP TABLE listings;
"""
    + SCHEMA_V2
    + """
INSERT INTO listings (site, url, frontier, updated) SELECT site, url, '[]', updated
    FROM listings_v1;
DROP TABLE listings_v1;
"""
)
ARTICLE_COLUMNS = "site, id, url, num, content_hash, published, first_seen, last_seen, duplicate_of"


class SqliteStateStore:
    """`StateStore` on one SQLite file (or `:memory:`)."""

    def __init__(self, connection: sqlite3.Connection, location: str) -> None:
        self.connection = connection
        self.location = location

    @classmethod
    def open(cls, location: str, *, busy_timeout: float = 30.0) -> Self:
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
            connection = sqlite3.connect(target, timeout=busy_timeout, isolation_level=None)
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
        version = self._meta("schema") if tables else None
        if version is not None and version not in ("1", "2", SCHEMA_VERSION):
            raise StateError(
                f"state {self.location}: schema version {version}, this newsagg reads "
                f"{SCHEMA_VERSION}"
            )
        if tables:
            check = [row[0] for row in db.execute("PRAGMA quick_check")]
            if check != ["ok"]:
                raise StateError(f"state {self.location}: damaged file ({'; '.join(check[:3])})")
        mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode not in ("wal", "memory"):
            raise StateError(f"state {self.location}: cannot use WAL mode (journal mode {mode})")
        db.execute("PRAGMA synchronous=FULL")  # a committed run survives a power cut too
        with self._transaction():  # a read-only file fails now, not after the crawl
            if not tables:
                _script(db, SCHEMA + SCHEMA_V2 + ";" + SCHEMA_V3)
                db.executemany(
                    "INSERT INTO meta (key, value) VALUES (?, ?)",
                    [("schema", SCHEMA_VERSION), ("created", utc_stamp())],
                )
            elif version != SCHEMA_VERSION:
                if version == "1":
                    _script(db, MIGRATE_V1)
                _script(db, SCHEMA_V3)
                db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (SCHEMA_VERSION,))
            else:  # an empty write: proves the file is writable now, not after the crawl
                db.execute("UPDATE meta SET value = value WHERE key = 'schema'")

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

    def with_hash(self, site: str, content_hash: str, exclude_id: str) -> list[StoredArticle]:
        rows = self.connection.execute(
            f"SELECT {ARTICLE_COLUMNS} FROM articles"
            " WHERE site = ? AND content_hash = ? AND id != ?",
            (site, content_hash, exclude_id),
        )
        return [StoredArticle(*row) for row in rows]

    def arrival(
        self, site: str, article_id: str, content_hash: str | None
    ) -> tuple[StoredArticle | None, list[StoredArticle]]:
        same = self.with_hash(site, content_hash, article_id) if content_hash else []
        return self.article(site, article_id), same

    def near_candidates(
        self, site: str, band_keys: Sequence[int], exclude_id: str
    ) -> list[NearCandidate]:
        if not band_keys:
            return []
        columns = ", ".join(f"a.{name.strip()}" for name in ARTICLE_COLUMNS.split(","))
        # CROSS JOIN fixes the loop order: band keys first (a few rows by primary key), then
        # their articles. With a plain JOIN SQLite scans every article of the site instead.
        rows = self.connection.execute(
            f"SELECT DISTINCT {columns}, a.signature, a.text FROM near_index n"
            " CROSS JOIN articles a ON a.pk = n.article"
            f" WHERE n.key IN ({_marks(band_keys)}) AND a.site = ? AND a.id != ?"
            " AND a.signature IS NOT NULL",
            (*band_keys, site, exclude_id),
        )
        return [NearCandidate(StoredArticle(*row[:-2]), row[-2], row[-1]) for row in rows]

    def frontier(self, site: str, listing_url: str) -> tuple[str, ...] | None:
        row = self.connection.execute(
            "SELECT frontier FROM listings WHERE site = ? AND url = ?", (site, listing_url)
        ).fetchone()
        return tuple(json.loads(row[0])) if row else None

    def lock(self, site: str) -> SiteLock | None:
        if self.location == IN_MEMORY:
            return None
        return SiteLock.acquire(lock_path(self.location, site))

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

    def begin_run(
        self,
        journal: RunJournal,
        records: Iterable[SeenRecord],
        listings: Iterable[ListingRecord] = (),
    ) -> int:
        db = self.connection
        count = 0
        now = utc_stamp()
        try:
            with self._transaction():
                db.execute(
                    "INSERT INTO runs (run_id, site, status, created, updated, files, manifest,"
                    " manifest_path, latest_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        *(journal.run_id, journal.site, PENDING, now, now),
                        json.dumps([asdict(f) for f in journal.files], ensure_ascii=False),
                        *(journal.manifest, journal.manifest_path, journal.latest_path),
                    ),
                )
                for count, record in enumerate(records, start=1):
                    _journal_record(db, journal.run_id, count, record)
                db.executemany(
                    "INSERT OR REPLACE INTO pending_listings (run_id, site, url, frontier)"
                    " VALUES (?, ?, ?, ?)",
                    [
                        (journal.run_id, listing.site, listing.url, _frontier_text(listing))
                        for listing in listings
                    ],
                )
        except sqlite3.Error as exc:
            raise StateError(f"state {self.location}: cannot journal the run: {exc}") from exc
        return count

    def commit_run(self, run_id: str) -> int:
        db = self.connection
        try:
            with self._transaction():
                row = db.execute("SELECT manifest FROM runs WHERE run_id = ?", (run_id,)).fetchone()
                (count,) = db.execute(
                    "SELECT count(*) FROM pending_articles WHERE run_id = ?", (run_id,)
                ).fetchone()
                for statement in COMMIT_STATEMENTS:
                    db.execute(statement, (run_id,))
                now = utc_stamp()
                for site, url, frontier in db.execute(
                    "SELECT site, url, frontier FROM pending_listings WHERE run_id = ?", (run_id,)
                ).fetchall():
                    if frontier is None:
                        db.execute("DELETE FROM listings WHERE site = ? AND url = ?", (site, url))
                    else:
                        db.execute(
                            "INSERT OR REPLACE INTO listings (site, url, frontier, updated)"
                            " VALUES (?, ?, ?, ?)",
                            (site, url, frontier, now),
                        )
                self._forget_rows(run_id)
                status = COMMITTED if row is not None and row[0] is not None else PUBLISHED
                self._set_status(run_id, status)
        except sqlite3.Error as exc:
            raise StateError(f"state {self.location}: cannot commit run {run_id}: {exc}") from exc
        return count

    def finish_run(self, run_id: str) -> None:
        try:
            with self._transaction():
                self._set_status(run_id, PUBLISHED)
        except sqlite3.Error as exc:
            raise StateError(f"state {self.location}: cannot close run {run_id}: {exc}") from exc

    def discard_run(self, run_id: str) -> None:
        try:
            with self._transaction():
                self._forget_rows(run_id)
                self._set_status(run_id, DISCARDED)
        except sqlite3.Error as exc:
            raise StateError(f"state {self.location}: cannot discard run {run_id}: {exc}") from exc

    def unfinished_runs(self, site: str) -> list[RunJournal]:
        rows = self.connection.execute(
            "SELECT run_id, site, status, files, manifest, manifest_path, latest_path FROM runs"
            " WHERE site = ? AND status IN (?, ?) ORDER BY created, run_id",
            (site, PENDING, COMMITTED),
        ).fetchall()
        return [
            RunJournal(
                run_id,
                site,
                status,
                tuple(RunFile(**f) for f in json.loads(files)),
                manifest,
                manifest_path,
                latest_path,
            )
            for run_id, site, status, files, manifest, manifest_path, latest_path in rows
        ]

    def _forget_rows(self, run_id: str) -> None:
        for table in ("pending_articles", "pending_keys", "pending_aliases", "pending_listings"):
            self.connection.execute(f"DELETE FROM {table} WHERE run_id = ?", (run_id,))

    def _set_status(self, run_id: str, status: str) -> None:
        # Once done with, a run keeps its row (what it published, and when), not its manifest.
        keep_manifest = status in (PENDING, COMMITTED)
        self.connection.execute(
            "UPDATE runs SET status = ?, updated = ?,"
            " manifest = CASE WHEN ? THEN manifest ELSE NULL END WHERE run_id = ?",
            (status, utc_stamp(), keep_manifest, run_id),
        )

    def close(self) -> None:
        self.connection.close()


class _Transaction:
    """`BEGIN IMMEDIATE` ... `COMMIT`, or `ROLLBACK` on any exception. SQLite rolls some
    failures back by itself (a full disk, an I/O error): then there is nothing to roll back,
    and the original error is the one raised."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def __enter__(self) -> None:
        self.connection.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: type[BaseException] | None, *_: Any) -> None:
        if kind is None:
            try:
                self.connection.execute("COMMIT")
                return
            except sqlite3.Error:
                self._rollback()
                raise
        self._rollback()

    def _rollback(self) -> None:
        if self.connection.in_transaction:
            # The error that brought us here is the one worth raising.
            with contextlib.suppress(sqlite3.Error):
                self.connection.execute("ROLLBACK")


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


def _script(db: sqlite3.Connection, script: str) -> None:
    """Run `;`-separated statements inside the caller's transaction (`executescript` would
    commit it)."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _journal_record(db: sqlite3.Connection, run_id: str, seq: int, r: SeenRecord) -> None:
    """One article's pending row, with its band keys and aliases as rows of their own."""
    db.execute(
        "INSERT INTO pending_articles (run_id, seq, site, id, url, num, seen_at, content_hash,"
        " published, duplicate_of, signature, band_keys, aliases, touch_only, text)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            *(run_id, seq, r.site, r.id, r.url, r.num, r.seen_at),
            *(r.content_hash, r.published, r.duplicate_of, r.signature),
            None,  # version 2's column: the keys are rows of pending_keys
            "[]",  # likewise the aliases, in pending_aliases
            int(r.touch_only),
            r.text,
        ),
    )
    db.executemany(
        "INSERT INTO pending_keys (run_id, site, id, key) VALUES (?, ?, ?, ?)",
        [(run_id, r.site, r.id, key) for key in r.band_keys],
    )
    db.executemany(
        "INSERT INTO pending_aliases (run_id, site, url, id) VALUES (?, ?, ?, ?)",
        [(run_id, r.site, url, r.id) for url in r.aliases if url != r.url],
    )


def _frontier_text(listing: ListingRecord) -> str | None:
    return None if listing.frontier is None else json.dumps(list(listing.frontier))
