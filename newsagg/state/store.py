"""What a crawl remembers between runs, as an interface: which articles were written, with
which text, the near-duplicate index, each listing's frontier, and the journal of runs between
their output and the state. `SqliteStateStore` is the one backend; another (Redis...)
implements `StateStore` and is picked by `open_state_store` from the location."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import platformdirs

from newsagg.errors import StateError
from newsagg.state.lock import SiteLock

IN_MEMORY = ":memory:"  # a state that lives for one run only (replay runs use it by default)


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """One article as an earlier run wrote it (or deliberately dropped it as a duplicate)."""

    site: str
    id: str  # "{site}:{source_slug}:{numeric_id}"
    url: str  # canonical URL, as exported
    num: int  # numeric id from the URL: the lower, the older
    content_hash: str | None
    published: str | None
    first_seen: str  # UTC ISO 8601
    last_seen: str
    duplicate_of: str | None  # URL of the canonical copy; None for an original

    @property
    def canonical_url(self) -> str:
        """The URL a copy of this text is marked with."""
        return self.duplicate_of or self.url


@dataclass(frozen=True, slots=True)
class NearCandidate:
    """A stored article sharing at least one LSH band with a text, and its MinHash values."""

    article: StoredArticle
    signature: bytes  # uint32 little-endian, num_perm values
    text: bytes | None = None  # its normalized text, zlib: the exact Jaccard's (None: older)


@dataclass(frozen=True, slots=True)
class SeenRecord:
    """What a run writes back for one article once its output file is in place."""

    site: str
    id: str
    url: str
    num: int
    seen_at: str  # UTC ISO 8601; first_seen for a new article, last_seen always
    content_hash: str | None = None
    published: str | None = None
    duplicate_of: str | None = None
    signature: bytes | None = None
    text: bytes | None = None  # normalized body, zlib-compressed (for exact near-dup checks)
    band_keys: tuple[int, ...] = ()
    aliases: tuple[str, ...] = ()  # other URLs that led to this article (redirects)
    touch_only: bool = False  # unchanged: only last_seen (and aliases) are updated


@dataclass(frozen=True, slots=True)
class ListingRecord:
    """How far a run paginated one listing. A listing left unfinished (the run was stopped,
    a page failed, `max_pages`) keeps a frontier: the ids of the articles on the deepest page
    it read. Until a later run has met one of them, a fully-known page there is no proof that
    older articles are known (a hole may lie between), so it must not end the listing. Ids,
    not numbers: ids are each outlet's own and a front page mixes outlets."""

    site: str
    url: str  # the listing's first page
    frontier: tuple[str, ...] | None  # None: paginated to its end (or to known ground)


@dataclass(frozen=True, slots=True)
class RunFile:
    """One file a run publishes: written at `partial`, renamed onto `final`."""

    kind: str  # "items", "rejects"
    final: str  # absolute path
    partial: str  # absolute path
    sha256: str
    bytes: int
    rows: int


@dataclass(frozen=True, slots=True)
class RunJournal:
    """A run between its output and the state: written as *pending* (with its article rows)
    before the first file is renamed into place, *committed* once they all are. A start that
    finds one resolves it before anything is requested (newsagg.output.recovery)."""

    run_id: str
    site: str
    status: str  # "pending" | "committed"
    files: tuple[RunFile, ...]
    manifest: str | None = None  # JSON to write once committed (dataset runs), else None
    manifest_path: str | None = None
    latest_path: str | None = None


PENDING, COMMITTED, PUBLISHED, DISCARDED = "pending", "committed", "published", "discarded"


class StateStore(Protocol):
    """The seen-store. Reads reflect the committed state as the run found it: a run's articles
    reach it in two transactions around the renaming of its files (`begin_run`, then
    `commit_run`), so a process killed at any instant leaves either nothing of the run or a
    journal that the next start resolves."""

    location: str  # path or URL, for messages

    def lock(self, site: str) -> SiteLock | None:
        """Hold the site's run lock on this state (RunLocked if taken); None: nothing to lock
        (a state that lives for one run)."""
        ...

    def count(self, site: str | None = None) -> int:
        """Articles recorded (for one site, or all)."""
        ...

    def known(self, site: str, links: Mapping[str, str]) -> set[str]:
        """URLs among `links` (URL -> article id) whose article id or URL is recorded."""
        ...

    def article(self, site: str, article_id: str) -> StoredArticle | None: ...

    def with_hash(self, site: str, content_hash: str, exclude_id: str) -> list[StoredArticle]:
        """The articles with this exact text (normalized body), other than `exclude_id`."""
        ...

    def arrival(
        self, site: str, article_id: str, content_hash: str | None
    ) -> tuple[StoredArticle | None, list[StoredArticle]]:
        """What an arriving article's lookup needs, at once: `article(article_id)`, and
        `with_hash(content_hash, article_id)` ([] without a hash)."""
        ...

    def near_candidates(
        self, site: str, band_keys: Sequence[int], exclude_id: str
    ) -> list[NearCandidate]:
        """Stored articles sharing any LSH band key with a text."""
        ...

    def frontier(self, site: str, listing_url: str) -> tuple[str, ...] | None:
        """The listing's frontier (see ListingRecord); None when its last run finished."""
        ...

    def index_params(self) -> str | None:
        """How the near-duplicate index was built (None for a new store)."""
        ...

    def rebuild_index(
        self, params: str, band_keys: Callable[[str, bytes], Sequence[int]] | None
    ) -> int:
        """Set the index parameters; with `band_keys(site, signature)`, recompute every
        article's band keys (the LSH banding changed, the signatures did not). Returns the
        number of articles re-indexed."""
        ...

    def begin_run(
        self,
        journal: RunJournal,
        records: Iterable[SeenRecord],
        listings: Iterable[ListingRecord] = (),
    ) -> int:
        """Journal a run as pending, with its article and listing rows, in one transaction;
        nothing of it is visible to reads yet. Returns the article rows journaled."""
        ...

    def commit_run(self, run_id: str) -> int:
        """Apply a pending run's rows in one transaction; returns the articles applied. A run
        with a manifest to write stays `committed` until `finish_run`."""
        ...

    def finish_run(self, run_id: str) -> None:
        """The committed run's manifest and latest.json are written: nothing left to do."""
        ...

    def discard_run(self, run_id: str) -> None:
        """Forget a pending run's rows (its articles will be fetched again)."""
        ...

    def unfinished_runs(self, site: str) -> list[RunJournal]:
        """The site's runs still pending or committed, oldest first."""
        ...

    def close(self) -> None: ...


def default_state_path() -> Path:
    """`<per-user data dir>/newsagg/state.sqlite3` (platformdirs: ~/.local/share on Linux)."""
    return platformdirs.user_data_path("newsagg", appauthor=False) / "state.sqlite3"


def state_location(configured: str, *, replay: bool = False) -> str:
    """Where the state lives: `NEWSAGG_STATE` if set; else in memory for a replay run (so a
    replayed archive never touches the real state); else the per-user default path."""
    if configured.strip():
        return configured.strip()
    return IN_MEMORY if replay else str(default_state_path())


def open_state_store(location: str, *, busy_timeout: float = 30.0) -> StateStore:
    """Open (creating it if absent) the store at `location`; `StateError` naming it if it
    cannot be opened. An existing store is never deleted or recreated. `busy_timeout`: how
    long a write waits for another process's transaction."""
    if "://" in location:
        scheme = location.split("://", 1)[0]
        raise StateError(f"state {location}: no backend for {scheme}:// (only SQLite files)")
    from newsagg.state.sqlite import SqliteStateStore  # here: sqlite.py imports this module

    return SqliteStateStore.open(location, busy_timeout=busy_timeout)
