"""What the dedupe stage knows of one article of the run (`Entry`), what is decided of it
(`Decision`), and the order that makes one copy of a text the canonical one."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from newsagg.dedupe.run_texts import NO_ROW


class Outcome(StrEnum):
    NEW = "new"
    UPDATED = "updated"  # same id as an article written before, different text
    UNCHANGED = "unchanged"  # same id, same text: nothing to write
    REPEATED = "repeated"  # the same id twice in one run (two URLs, one article)


class Policy(StrEnum):
    MARK = "mark"  # write copies with `duplicate_of` set
    DROP = "drop"  # count and record copies, do not write them


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    duplicate_of: str | None = None  # canonical URL, for a copy
    kind: str | None = None  # "exact" or "near", for a copy
    write: bool = True


@dataclass(slots=True)
class Entry:
    """One article of the run: what the state said about it when it arrived."""

    index: int  # arrival order among the run's entries; -1 until admitted
    id: str
    num: int
    url: str
    content_hash: str | None
    published: str | None
    aliases: tuple[str, ...]
    stored: bool  # an earlier run wrote this id...
    unchanged: bool  # ...with this very text
    stored_exact: str | None  # canonical URL of another stored article with the same text
    stored_near: str | None  # canonical URL of the first stored near-copy (canonical order)
    row: int = NO_ROW  # its text's row in `RunTexts`
    decision: Decision | None = None  # once decided (`RunEntries.decided`)

    def requested_by(self, url: str | None) -> None:
        """The URL the article was requested by: kept as an alias when a redirect moved it."""
        if url and url != self.url:
            self.aliases = (url,)


def canonical_order(
    published: str | None, article_id: str, agencies: frozenset[str]
) -> tuple[str, bool, str, int]:
    """The sort key of a copy: the first in this order is the canonical one (newsagg.dedupe.
    resolve's doc). `agencies`: the site's news agencies' outlet slugs."""
    _, slug, number = article_id.rsplit(":", 2)
    return (published or "~", slug not in agencies, slug, int(number))
