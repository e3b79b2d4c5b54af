"""The "read at the source" link that ends every article and points to the outlet's page."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from urllib.parse import urlsplit

from lxml import etree

from newsagg.extract.text import clean_text, fold_for_match
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
    phrases = _phrases(profile)
    links = _LINKS_IN_BODY(root) or _LINKS(root)
    fallback = None
    for link in links:
        text = _folded(link.text or "" if len(link) == 0 else "".join(link.itertext()))
        if not text:
            continue
        if any(phrase in text for phrase in phrases):
            return SourceLink(href=link.get("href"), element=link)
        if any(word in text for word in _SOURCE_WORDS):
            host = urlsplit(link.get("href", "")).hostname
            if host and host != profile.host:
                fallback = SourceLink(href=link.get("href"), element=link)
    return fallback


_LINKS_IN_BODY = etree.XPath("//body//a[@href]")
_LINKS = etree.XPath("//a[@href]")


@cache
def _phrases(profile: SiteProfile) -> tuple[str, ...]:
    return tuple(
        fold_for_match(p) for lang in profile.language_profiles for p in lang.read_at_source
    )


@lru_cache(maxsize=4096)
def _folded(text: str) -> str:
    """A link's text as phrases are compared with. Most links of a page (menus, tickers,
    related and most-read lists) are on the pages crawled around it too: each distinct text
    is cleaned and folded once, not once per page."""
    return fold_for_match(clean_text(text))
