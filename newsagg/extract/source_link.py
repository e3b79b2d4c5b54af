"""The "read at the source" link that ends every article and points to the outlet's page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from lxml import etree

from newsagg.extract.text import clean_text, fold_for_match, string_value
from newsagg.sites.profiles import LanguageProfile, SiteProfile

# Words that, in a link to another host after the article, mean "the original".
_SOURCE_WORDS = ("source", "fuente", "مصدر", "original")


@dataclass(frozen=True, slots=True)
class SourceLink:
    href: str | None  # as written in the page; resolved by the caller
    element: etree._Element


def find_source_link(root: etree._Element, profile: SiteProfile) -> SourceLink | None:
    """The profile's wording first ("Cliquez ici pour lire l'article depuis sa source"); else
    the last link to another host whose text speaks of the source."""
    phrases = _phrases_pattern(profile.language_profiles)
    fallback = None
    lines: dict[etree._Element, str] = {}  # a parent's text, read once for all its links
    for link in _LINKS(root):
        text = fold_for_match(clean_text(string_value(link)))
        if not text:
            continue
        # The wording may run on past the link (<a>اضغط هنا</a> للاطلاع على ... من مصدره) or
        # lead up to it (لقراءة الخبر من مصدره <a>اضغط هنا</a>): read the line around it too.
        around = fold_for_match(clean_text(_line_around(link, lines)))
        if phrases.search(text) or phrases.search(around):
            return SourceLink(href=link.get("href"), element=link)
        if any(word in text for word in _SOURCE_WORDS):
            host = urlsplit(link.get("href", "")).hostname
            if host and host != profile.host:
                fallback = SourceLink(href=link.get("href"), element=link)
    return fallback


_LINKS = etree.XPath("//a[@href]")
MAX_LINE_AROUND = 200  # characters: a sentence around the link, not a whole container


@cache
def _phrases_pattern(languages: tuple[LanguageProfile, ...]) -> re.Pattern[str]:
    """Every wording of every language, folded, as one regex: one search per link text."""
    folded = {fold_for_match(p) for lang in languages for p in lang.read_at_source}
    return re.compile("|".join(re.escape(p) for p in sorted(folded, key=len, reverse=True)))


def _line_around(link: etree._Element, lines: dict[etree._Element, str]) -> str:
    parent = link.getparent()
    if parent is not None:
        if parent not in lines:
            lines[parent] = string_value(parent)
        if len(lines[parent]) <= MAX_LINE_AROUND:
            return lines[parent]
    return f"{string_value(link)} {link.tail or ''}"
