"""What a crawl remembers between runs, as an interface: which articles were written, with
which text, and the near-duplicate index. `SqliteStateStore` is the one backend; another
(Redis...) implements `StateStore` and is picked by `open_state_store` from the location."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import platformdirs

from newsagg.errors import StateError

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
    band_keys: tuple[int, ...] = ()
    aliases: tuple[str, ...] = ()  # other URLs that led to this article (redirects)
    touch_only: bool = False  # unchanged: only last_seen (and aliases) are updated


@dataclass(frozen=True, slots=True)
class ListingRecord:
    """How far a run paginated one listing. A listing left unfinished (the run was stopped,
    a page failed, `max_pages`) keeps a frontier: the lowest article id it reached. Until a
    later run gets below it, a fully-known page there is no proof that older articles are
    known, so it must not end the listing."""

    site: str
    url: str  # the listing's first page
    frontier: int | None  # None: paginated to its end (or to known ground)


class StateStore(Protocol):
    """The seen-store. Reads reflect the state as the run found it; `record` writes one run's
    articles in a single transaction, so a killed run leaves the state as it was."""

    location: str  # path or URL, for messages

    def count(self, site: str | None = None) -> int:
        """Articles recorded (for one site, or all)."""
        ...

    def known(self, site: str, links: Mapping[str, str]) -> set[str]:
        """URLs among `links` (URL -> article id) whose article id or URL is recorded."""
        ...

    def article(self, site: str, article_id: str) -> StoredArticle | None: ...

    def first_with_hash(
        self, site: str, content_hash: str, exclude_id: str
    ) -> StoredArticle | None:
        """An article with this exact text (an original if there is one, else the oldest)."""
        ...

    def near_candidates(
        self, site: str, band_keys: Sequence[int], exclude_id: str
    ) -> list[NearCandidate]:
        """Stored articles sharing any LSH band key with a text."""
        ...

    def frontier(self, site: str, listing_url: str) -> int | None:
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

    def record(self, records: Iterable[SeenRecord], listings: Iterable[ListingRecord] = ()) -> int:
        """Write one run's articles and listings atomically; returns the articles written."""
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


def open_state_store(location: str) -> StateStore:
    """Open (creating it if absent) the store at `location`; `StateError` naming it if it
    cannot be opened. An existing store is never deleted or recreated."""
    if "://" in location:
        scheme = location.split("://", 1)[0]
        raise StateError(f"state {location}: no backend for {scheme}:// (only SQLite files)")
    from newsagg.state.sqlite import SqliteStateStore  # here: sqlite.py imports this module

    return SqliteStateStore.open(location)
