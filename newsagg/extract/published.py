"""The "published in {outlet} on {date}" line: the only place an article's date is taken from."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from lxml import etree

from newsagg.extract.blocks import document_position, innermost_with_text
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
    separators) split the text first (line breaks in the HTML source do not: they render as
    one space), so a ticker headline that happens to
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


_SEGMENT_BREAK = re.compile(r"(?:[\u00a0\u202f]\s*){2,}|\u2028")
MAX_OUTLET_WORDS = 8


def _plausible_outlet(outlet: str) -> bool:
    return 0 < len(outlet.split()) <= MAX_OUTLET_WORDS and len(outlet) <= 80


MAX_CANDIDATES = 12  # published lines looked at on one page before choosing


def find_published_line(
    root: etree._Element,
    profile: SiteProfile,
    is_elsewhere: Callable[[etree._Element], bool],
    page_path: str = "",
    title_hint: str | None = None,
    language: str | None = None,
) -> PublishedAnchor | None:
    """The article's own published line. Lines inside related lists, tickers, sidebars
    (`is_elsewhere`) or teaser cards belong to other articles and are passed over; of the
    rest, the first after the headline (`title_hint`, from og:title/<title>) wins, else the
    first in the page. libxml2 finds the candidate text nodes; Python only looks at those,
    climbing a few levels when the line is split across elements. The page's `language`
    (from its URL) is looked for first: each wording searched costs a pass over the page."""
    found: list[PublishedAnchor] = []
    for search in _keyword_searches(profile.language_profiles, language):
        found = _anchors(search(root), profile, is_elsewhere, page_path)
        if found:
            break
    if len(found) > 1 and title_hint:
        headline = innermost_with_text(root, title_hint)
        if headline is not None:
            after = document_position(headline)
            for anchor in found:
                if document_position(anchor.element) > after:
                    return anchor
    return found[0] if found else None


def _anchors(
    text_nodes: list[etree._Element],
    profile: SiteProfile,
    is_elsewhere: Callable[[etree._Element], bool],
    page_path: str,
) -> list[PublishedAnchor]:
    """The published lines these text nodes open, but those of other articles."""
    found: list[PublishedAnchor] = []
    keywords = opening_words(profile.language_profiles)
    for text_node in text_nodes:
        element = text_node.getparent()
        if element is None or _continues_a_sentence(str(text_node), keywords):
            continue
        if text_node.is_tail:
            element = element.getparent()
        for candidate in _ancestors(element, levels=4):
            line = parse_published_line("".join(candidate.itertext()), profile.language_profiles)
            if line is not None:
                if not _inside(candidate, is_elsewhere) and not _in_teaser(
                    candidate, line, profile, page_path
                ):
                    found.append(PublishedAnchor(line=line, element=candidate))
                break
        if len(found) >= MAX_CANDIDATES:
            break
    return found


MIN_PROSE_WORDS = 3  # words of running text just before a wording: a sentence, not a line


@cache
def opening_words(languages: tuple[LanguageProfile, ...]) -> tuple[str, ...]:
    """The literal words every published wording of these languages opens with."""
    return tuple(keyword for lang in languages for keyword in lang.published_keywords)


def _continues_a_sentence(text: str, keywords: tuple[str, ...]) -> bool:
    """Every wording in this text continues a sentence ("وكان نص النظام قد نشر في جريدة …
    يوم …"): the words just before it are prose, not a byline, a time or a separator (an
    Arabic wording has no capital letter to tell the two apart)."""
    openings = [
        index
        for keyword in keywords
        for index in (match.start() for match in re.finditer(re.escape(keyword), text))
    ]
    return bool(openings) and all(_after_prose(text[:index]) for index in openings)


def _after_prose(before: str) -> bool:
    words = _SEGMENT_BREAK.split(before)[-1].split()
    return len(words) >= MIN_PROSE_WORDS and words[-1][-1].isalpha()


@cache
def _keyword_searches(
    languages: tuple[LanguageProfile, ...], first: str | None
) -> tuple[etree.XPath, ...]:
    """The text nodes that hold a wording's opening words: the page's language, then the
    others; last, every language with no-break spaces read as spaces (a translate() of every
    text node costs ten times more, so it runs only when nothing else was found)."""
    keywords = {
        lang.code: [_xpath_literal(k) for k in lang.published_keywords] for lang in languages
    }
    every = [k for words in keywords.values() for k in words]
    groups = [every]
    if first in keywords:
        groups = [keywords[first], [k for c, ws in keywords.items() if c != first for k in ws]]
    searches = [
        _text_nodes(" or ".join(f"contains(., {k})" for k in group)) for group in groups if group
    ]
    spaced = " or ".join(f"contains(translate(., '\u00a0', ' '), {k})" for k in every)
    return (*searches, _text_nodes(spaced))


def _text_nodes(condition: str) -> etree.XPath:
    return etree.XPath(f"//body//text()[{condition}]")  # not <head>: scripts, never shown


MAX_TEASER_EXTRA = 300  # characters a teaser card holds besides its published line


def _in_teaser(
    element: etree._Element, line: PublishedLine, profile: SiteProfile, page_path: str
) -> bool:
    """A related-article teaser: the line comes right after a link to another article, or
    sits in a short card holding one. The article's own line follows its headline, which is
    not a link, and sits in a long container or alone."""

    def links_elsewhere(node: etree._Element) -> bool:
        hrefs = [node.get("href", "")] if node.tag == "a" else node.xpath(".//a/@href")
        for href in hrefs:
            path = urlsplit(href.strip()).path.rstrip("/")
            if path != page_path.rstrip("/") and profile.article_path.match(path):
                return True
        return False

    for sibling in element.itersiblings(preceding=True):
        if sibling.tag in ("br", "i", "img", "span") and not "".join(sibling.itertext()).strip():
            continue
        if links_elsewhere(sibling):
            return True
        break
    card = element.getparent()
    if card is None or len("".join(card.itertext())) > len(line.raw) + MAX_TEASER_EXTRA:
        return False
    return links_elsewhere(card)


def _ancestors(element: etree._Element, levels: int) -> list[etree._Element]:
    chain = []
    while element is not None and len(chain) < levels:
        chain.append(element)
        element = element.getparent()
    return chain


def _inside(element: etree._Element, test: Callable[[etree._Element], bool]) -> bool:
    return any(test(node) for node in element.iterancestors())


def _xpath_literal(text: str) -> str:
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    parts = text.split("'")
    return "concat(" + ', "\'", '.join(f"'{part}'" for part in parts) + ")"
