"""The "read at the source" link that ends every article and points to the outlet's page."""

from __future__ import annotations

from dataclasses import dataclass
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
    phrases = [fold_for_match(p) for lang in profile.language_profiles for p in lang.read_at_source]
    links = root.xpath("//body//a[@href]") or root.xpath("//a[@href]")
    fallback = None
    for link in links:
        text = fold_for_match(clean_text("".join(link.itertext())))
        if not text:
            continue
        # The wording may run on past the link (<a>اضغط هنا</a> للاطلاع على ... من مصدره) or
        # lead up to it (لقراءة الخبر من مصدره <a>اضغط هنا</a>): read the line around it too.
        around = fold_for_match(clean_text(_line_around(link)))
        if any(phrase in text or phrase in around for phrase in phrases):
            return SourceLink(href=link.get("href"), element=link)
        host = urlsplit(link.get("href", "")).hostname
        if host and host != profile.host and any(word in text for word in _SOURCE_WORDS):
            fallback = SourceLink(href=link.get("href"), element=link)
    return fallback


MAX_LINE_AROUND = 200  # characters: a sentence around the link, not a whole container


def _line_around(link: etree._Element) -> str:
    parent = link.getparent()
    if parent is not None:
        line = "".join(parent.itertext())
        if len(line) <= MAX_LINE_AROUND:
            return line
    return f"{''.join(link.itertext())} {link.tail or ''}"
