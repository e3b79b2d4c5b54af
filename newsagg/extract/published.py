"""The "published in {outlet} on {date}" line: the only place an article's date is taken from."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import etree

from newsagg.extract.text import clean_text
from newsagg.sites.profiles import LanguageProfile, SiteProfile


@dataclass(frozen=True, slots=True)
class PublishedLine:
    """What the line says, before the date is parsed."""

    raw: str  # the matched line, cleaned: "Publié dans L'opinion le 19 - 01 - 2022"
    outlet: str
    date_raw: str
    language: str


@dataclass(frozen=True, slots=True)
class PublishedAnchor:
    """A published line found in a page, with the element that holds it."""

    line: PublishedLine
    element: etree._Element


def parse_published_line(text: str, languages: tuple[LanguageProfile, ...]) -> PublishedLine | None:
    """`Publié dans L'opinion le 19 - 01 - 2022` -> outlet and date text, in any language.

    The line is looked for within one visual line: runs of no-break spaces (the ticker's
    separators) and blank lines split the text first, so a ticker headline that happens to
    start with "Publié dans" cannot borrow the date of the next headline. An outlet name is
    a few words, not a sentence."""
    for segment in _SEGMENT_BREAK.split(text):
        if len(segment) < 12:
            continue
        cleaned = clean_text(segment)
        for lang in languages:
            for pattern in lang.published:
                match = pattern.search(cleaned)
                if match and _plausible_outlet(match.group("outlet")):
                    return PublishedLine(
                        raw=match.group(0),
                        outlet=match.group("outlet").strip(" :-\"'«»"),
                        date_raw=match.group("date"),
                        language=lang.code,
                    )
    return None


_SEGMENT_BREAK = re.compile(r"(?:[\u00a0\u202f]\s*){2,}|[\r\n]\s*[\r\n]|\u2028")
MAX_OUTLET_WORDS = 8


def _plausible_outlet(outlet: str) -> bool:
    return 0 < len(outlet.split()) <= MAX_OUTLET_WORDS and len(outlet) <= 80


def find_published_line(
    root: etree._Element,
    profile: SiteProfile,
    is_boilerplate: Callable[[etree._Element], bool],
    page_path: str = "",
) -> PublishedAnchor | None:
    """The first published line in document order that is not inside boilerplate (a related
    list repeats other articles' lines). libxml2 finds the candidate text nodes; Python only
    looks at those, climbing a few levels when the line is split across elements."""
    for text_node in _keyword_text_nodes(root, profile):
        element = text_node.getparent()
        if element is None:
            continue
        if text_node.is_tail:
            element = element.getparent()
        for candidate in _ancestors(element, levels=4):
            line = parse_published_line("".join(candidate.itertext()), profile.language_profiles)
            if line is not None:
                if not _inside_boilerplate(candidate, is_boilerplate) and not _in_teaser(
                    candidate, line, profile, page_path
                ):
                    return PublishedAnchor(line=line, element=candidate)
                break
    return None


def _keyword_text_nodes(root: etree._Element, profile: SiteProfile) -> list[etree._Element]:
    tests = " or ".join(
        f"contains(translate(., '\u00a0', ' '), {_xpath_literal(keyword)})"
        for lang in profile.language_profiles
        for keyword in lang.published_keywords
    )
    return root.xpath(f"//body//text()[{tests}]") or root.xpath(f"//text()[{tests}]")


MAX_TEASER_EXTRA = 300  # characters a teaser card holds besides its published line


def _in_teaser(
    element: etree._Element, line: PublishedLine, profile: SiteProfile, page_path: str
) -> bool:
    """A related-article card: a short container holding the line and a link to another
    article (not this page). The article's own line sits in a long container or alone."""
    card = element.getparent()
    if card is None or len("".join(card.itertext())) > len(line.raw) + MAX_TEASER_EXTRA:
        return False
    for href in card.xpath(".//a/@href"):
        path = urlsplit(href.strip()).path.rstrip("/")
        if path != page_path.rstrip("/") and profile.article_path.match(path):
            return True
    return False


def _ancestors(element: etree._Element, levels: int) -> list[etree._Element]:
    chain = []
    while element is not None and len(chain) < levels:
        chain.append(element)
        element = element.getparent()
    return chain


def _inside_boilerplate(
    element: etree._Element, is_boilerplate: Callable[[etree._Element], bool]
) -> bool:
    return any(is_boilerplate(node) for node in element.iterancestors())


def _xpath_literal(text: str) -> str:
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    parts = text.split("'")
    return "concat(" + ', "\'", '.join(f"'{part}'" for part in parts) + ")"
