"""The article text, by an ordered recipe: each strategy is one way to find the run of
paragraphs that is the article's own prose; the first that finds any wins and gives its name
(`body_method`, counted as `newsagg/body/<method>`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from lxml import etree

from newsagg.extract.blocks import Block, document_position, innermost_with_text
from newsagg.extract.body_page import BodyPage
from newsagg.extract.text import clean_text, string_value

BodyMethod = str  # "published_to_source", "title_to_published", "published_onward", ...


class Body(NamedTuple):
    paragraphs: list[str]
    method: BodyMethod


def extract_body(page: BodyPage) -> Body | None:
    """The first strategy of `RECIPE` that finds paragraphs; None when none does."""
    for strategy in RECIPE:
        if (found := strategy(page)) is not None:
            return found
    return None


def between_published_line_and_source_link(page: BodyPage) -> Body | None:
    """From the published line to the read-at-source link, when the link comes after it."""
    line, source = page.published, page.anchors.source
    if line is None or source is None or not _precedes(line, source):
        return None
    texts = page.keep(page.after_line(page.walker(stop_at=source).walk_from(line)))
    return Body(texts, "published_to_source") if texts else None


def headline_to_published_line(page: BodyPage) -> Body | None:
    """Templates that print the line after the text: what lies between the headline and the
    line, when it is longer than what follows the line (page furniture, then)."""
    line = page.published
    title = _title_element(line, page.anchors.title) if line is not None else None
    if title is None:
        return None
    texts = page.keep(page.after_title(page.walker(stop_at=line).walk_from(title)))
    if texts and _length(texts) > _length(_after_line_to_end(page)):
        return Body(texts, "title_to_published")
    return None


def published_line_to_end_marker(page: BodyPage) -> Body | None:
    """From the published line to the first related list, comments block or sidebar."""
    texts = _after_line_to_end(page)
    return Body(texts, "published_onward") if texts else None


def profile_selectors(page: BodyPage) -> Body | None:
    """The first of the profile's body selectors whose element holds prose."""
    for selector in page.profile.body_selectors:
        for element in page.page.css(selector):
            walker = page.walker(stop_at=page.anchors.source)
            if texts := page.keep(walker.walk_within(element.root)):
                return Body(texts, f"selector:{selector}")
    return None


_JSONLD_SPLIT = re.compile(r"\n\s*\n|\r\n|\n")


def jsonld_article_body(page: BodyPage) -> Body | None:
    """JSON-LD `articleBody`, split at its line breaks."""
    texts = [clean_text(part) for part in _JSONLD_SPLIT.split(page.anchors.jsonld_body or "")]
    texts = [text for text in texts if text]
    return Body(texts, "jsonld") if texts else None


Strategy = Callable[[BodyPage], Body | None]
RECIPE: tuple[Strategy, ...] = (
    between_published_line_and_source_link,
    headline_to_published_line,
    published_line_to_end_marker,
    profile_selectors,
    jsonld_article_body,
)


def _after_line_to_end(page: BodyPage) -> list[str]:
    """The paragraphs after the published line up to where the article ends (`_EndMarker`);
    walked once, though two strategies read it."""
    if "onward" not in page.walks:
        page.walks["onward"] = _walk_onward(page) if page.published is not None else []
    return page.walks["onward"]


def _walk_onward(page: BodyPage) -> list[str]:
    end = _EndMarker(page)
    walker = page.walker(
        stop_at=page.anchors.source, should_stop=end.block_ends, ends_at=end.element_ends
    )
    blocks = page.after_line(walker.walk_from(page.published))
    if blocks and (page.paragraphs.is_related_heading(blocks[-1]) or page.is_line(blocks[-1])):
        blocks = blocks[:-1]
    return page.keep(blocks)


class _EndMarker:
    """Where the text after the published line ends when no read-at-source link bounds it:
    at a related-list heading or another article's line (a block), or at a skipped related
    list, comments block or sidebar (an element) with no prose after it in its container.
    Neither counts before the walk has passed the article's own line."""

    def __init__(self, page: BodyPage) -> None:
        self.page = page
        self.past_line = False

    def block_ends(self, block: Block) -> bool:
        if not self.past_line:
            self.past_line = self.page.is_own_line(block)
            return False
        return self.page.paragraphs.is_related_heading(block) or self.page.is_line(block)

    def element_ends(self, element: etree._Element) -> bool:
        return (
            self.past_line
            and self.page.ends_article(element)
            and not _prose_follows(element, self.page)
        )


MIN_PROSE_WORDS = 12  # a paragraph of the article, not a caption, a tag line or a button


def _prose_follows(element: etree._Element, page: BodyPage) -> bool:
    """A paragraph of prose comes after `element` in its own container: the element is an
    aside inside the text (a "Lire aussi" box between two paragraphs), not the list of other
    articles that ends it. A paragraph whose class says what it is (an author's bio, a
    copyright) is not the article's."""
    prose_end = page.paragraphs.markers.prose_end
    for sibling in element.itersiblings():
        if sibling.tag == "p" and not page.is_boilerplate(sibling):
            text = clean_text(string_value(sibling))
            if len(text.split()) >= MIN_PROSE_WORDS and prose_end.search(text):
                return True
    return False


def _precedes(first: etree._Element, second: etree._Element) -> bool:
    """True when `first` opens before `second` in document order."""
    return document_position(first) < document_position(second)


def _title_element(published: etree._Element, title: str | None) -> etree._Element | None:
    """The element holding the headline, before the published line: the innermost element
    whose whole text is the title, else the nearest <h1>/<h2>."""
    if title and (same_text := innermost_with_text(published, title, before=True)) is not None:
        return same_text
    found = published.xpath("preceding::*[self::h1 or self::h2][1]")
    return found[0] if found else None


def _length(paragraphs: list[str]) -> int:
    return sum(len(text) for text in paragraphs)
