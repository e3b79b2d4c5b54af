"""The "read at the source" link that ends every article and points to the outlet's page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import cache, lru_cache
from urllib.parse import urlsplit

from lxml import etree

from newsagg.extract.text import clean_text, fold_for_match, string_value
from newsagg.sites.profiles import SiteProfile

# Words that, in a link to another host after the article, mean "the original".
_SOURCE_WORDS = ("source", "fuente", "مصدر", "original")


@dataclass(frozen=True, slots=True)
class SourceLink:
    href: str | None  # as written in the page; resolved by the caller
    element: etree._Element


def find_source_link(root: etree._Element, profile: SiteProfile) -> SourceLink | None:
    """The profile's wording first ("Cliquez ici pour lire l'article depuis sa source"); else
    the last link to another host whose text speaks of the source."""
    what_it_says = _reader(_phrases(profile))
    links = _LINKS_IN_BODY(root) or _LINKS(root)
    fallback = None
    for link in links:
        says = what_it_says(string_value(link))
        if says is _Says.READ_AT_SOURCE:
            return SourceLink(href=link.get("href"), element=link)
        if says is _Says.SOURCE:
            host = urlsplit(link.get("href", "")).hostname
            if host and host != profile.host:
                fallback = SourceLink(href=link.get("href"), element=link)
    return fallback


class _Says(Enum):
    NOTHING = 0
    SOURCE = 1  # one of _SOURCE_WORDS
    READ_AT_SOURCE = 2  # one of the profile's phrases


_LINKS_IN_BODY = etree.XPath("//body//a[@href]")
_LINKS = etree.XPath("//a[@href]")


@cache
def _phrases(profile: SiteProfile) -> tuple[str, ...]:
    return tuple(
        fold_for_match(p) for lang in profile.language_profiles for p in lang.read_at_source
    )


@cache
def _reader(phrases: tuple[str, ...]) -> Callable[[str], _Says]:
    """What a link's text says, cleaned and folded. Most links of a page (menus, tickers,
    related and most-read lists) are on the pages crawled around it too: each distinct text
    is read once (LRU), not once per page."""

    @lru_cache(maxsize=4096)
    def what_it_says(raw: str) -> _Says:
        text = fold_for_match(clean_text(raw))
        if not text:
            return _Says.NOTHING
        if any(phrase in text for phrase in phrases):
            return _Says.READ_AT_SOURCE
        if any(word in text for word in _SOURCE_WORDS):
            return _Says.SOURCE
        return _Says.NOTHING

    return what_it_says
