"""The "published in {outlet} on {date}" line: the only place an article's date is taken from."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

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
    """`Publié dans L'opinion le 19 - 01 - 2022` -> outlet and date text, in any language."""
    cleaned = clean_text(text)
    for lang in languages:
        for pattern in lang.published:
            match = pattern.search(cleaned)
            if match:
                return PublishedLine(
                    raw=match.group(0),
                    outlet=match.group("outlet").strip(" :-\"'«»"),
                    date_raw=match.group("date"),
                    language=lang.code,
                )
    return None


def find_published_line(
    root: etree._Element,
    profile: SiteProfile,
    is_boilerplate: Callable[[etree._Element], bool],
) -> PublishedAnchor | None:
    """The first published line in document order that is not inside boilerplate (a related
    list repeats other articles' lines). libxml2 finds the candidate text nodes; Python only
    looks at those, climbing a few levels when the line is split across elements."""
    keywords = tuple(kw for lang in profile.language_profiles for kw in lang.published_keywords)
    first_in_body, in_body, anywhere = _keyword_searches(keywords)
    # Most often the first candidate in <body> is the line: libxml2 stops there, and the rest
    # of the page (related lists, footer, big inline scripts) is searched only when it is not.
    first = _holding(first_in_body(root)[:1], keywords)
    if first and (found := _line_at(first[0], profile, is_boilerplate)) is not None:
        return found
    for text_node in _holding(in_body(root), keywords) or _holding(anywhere(root), keywords):
        if (found := _line_at(text_node, profile, is_boilerplate)) is not None:
            return found
    return None


def _line_at(
    text_node: Any, profile: SiteProfile, is_boilerplate: Callable[[etree._Element], bool]
) -> PublishedAnchor | None:
    """The published line a candidate text node is part of, climbing a few levels when the
    line is split across elements; None if there is none or it is inside boilerplate."""
    element = text_node.getparent()
    if element is None:
        return None
    if text_node.is_tail:
        element = element.getparent()
    for candidate in _ancestors(element, levels=4):
        line = parse_published_line("".join(candidate.itertext()), profile.language_profiles)
        if line is not None:
            if _inside_boilerplate(candidate, is_boilerplate):
                return None
            return PublishedAnchor(line=line, element=candidate)
    return None


@cache
def _keyword_searches(keywords: tuple[str, ...]) -> tuple[etree.XPath, etree.XPath, etree.XPath]:
    """Text nodes that may hold a keyword: the first in <body>, all in <body>, all anywhere.
    libxml2 looks for each keyword's longest part without a space (which every holder of the
    keyword contains, whatever its spaces), so Python checks whole keywords on a few nodes only;
    a translate() per node and keyword costs ten times more on pages with big inline scripts."""
    parts = {max(re.split("[ \u00a0]", keyword), key=len) for keyword in keywords}
    test = " or ".join(f"contains(., {_xpath_literal(part)})" for part in sorted(parts))
    return (
        etree.XPath(f"//body/descendant::text()[{test}][1]"),
        etree.XPath(f"//body//text()[{test}]"),
        etree.XPath(f"//text()[{test}]"),
    )


def _holding(nodes: list[Any], keywords: tuple[str, ...]) -> list[Any]:
    return [node for node in nodes if any(kw in node.replace("\u00a0", " ") for kw in keywords)]


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
