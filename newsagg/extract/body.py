"""The article text: the run of paragraphs between the published line and the read-at-source
link, with everything that is not the article's own prose left out."""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree
from parsel import Selector

from newsagg.extract.blocks import Block, BlockWalker, document_position, innermost_with_text
from newsagg.extract.boilerplate import ParagraphFilter, end_checker
from newsagg.extract.published import opening_words, parse_published_line
from newsagg.extract.text import clean_text, fold_for_match, string_value
from newsagg.sites.profiles import SiteProfile

BodyMethod = str  # "published_to_source", "published_onward", "title_to_published", ...
MAX_LABEL_WORDS = 3
MAX_LINE_EXTRA = 60  # characters a published line's block may hold besides the line itself
_JSONLD_SPLIT = re.compile(r"\n\s*\n|\r\n|\n")


def extract_body(
    page: Selector,
    profile: SiteProfile,
    is_boilerplate: Callable[[etree._Element], bool],
    *,
    title: str | None,
    published_element: etree._Element | None,
    source_element: etree._Element | None,
    jsonld_body: str | None,
    page_host: str = "",
) -> tuple[list[str], BodyMethod | None]:
    """Paragraphs of the body, and which anchor found them; ([], None) when none did.

    Tried in order, the first that yields text wins: published line -> read-at-source link;
    published line onward to the first related-list heading; title -> published line (for
    templates that print the line after the text); the profile's body selectors; JSON-LD
    `articleBody`."""
    paragraphs = ParagraphFilter(profile, page_host)
    protected = _anchor_chain(published_element) | _anchor_chain(source_element)
    if published_element is not None:  # its line must come out whole ("meta-pub" spans)
        protected.update(published_element.iter())
    title_folded = fold_for_match(title or "")
    keywords = opening_words(profile.language_profiles)

    def is_line(block: Block) -> bool:
        """A published line standing as its own block (the article's or a related item's);
        a body sentence that happens to begin "Publié dans la revue X le …" is not one."""
        if not any(keyword in block.text for keyword in keywords):
            return False  # every wording opens with its keyword: no regex needed
        line = parse_published_line(block.text, profile.language_profiles)
        return line is not None and len(block.text) <= len(line.raw) + MAX_LINE_EXTRA

    def keep(blocks: list[Block]) -> list[str]:
        texts: list[str] = []
        for block in blocks:
            if not texts and block.tag == "li" and len(block.text.split()) <= MAX_LABEL_WORDS:
                continue  # a category or tag item of the meta row above the text
            if paragraphs.reason_to_drop(block) is not None:
                continue
            if source_element is not None and source_element in block.elements:
                continue  # the read-at-source line itself
            if is_line(block):
                continue  # a related item's own line
            if title_folded and fold_for_match(block.text) == title_folded:
                continue
            texts.append(block.text)
        return texts

    def after_title(blocks: list[Block]) -> list[Block]:
        for index, block in enumerate(blocks):
            if is_line(block):
                return blocks[:0]  # the line is inside the title's block: nothing between
            if fold_for_match(block.text) == title_folded:
                return blocks[index + 1 :]
        return blocks[1:]

    def after_line(blocks: list[Block]) -> list[Block]:
        for index, block in enumerate(blocks):
            if is_line(block):
                return blocks[index + 1 :]
        return []

    if published_element is not None:
        if source_element is not None and _precedes(published_element, source_element):
            walker = BlockWalker(is_boilerplate, protected, stop_at=source_element)
            if texts := keep(after_line(walker.walk_from(published_element))):
                return texts, "published_to_source"

        started = False

        def related_list_begins(block: Block) -> bool:
            nonlocal started
            if not started:
                started = is_line(block)
                return False
            return paragraphs.is_related_heading(block) or (is_line(block))

        ends_article = end_checker(profile)

        def article_ends(element: etree._Element) -> bool:
            return (
                started
                and ends_article(element)
                and not _prose_follows(element, is_boilerplate, paragraphs.markers.prose_end)
            )

        walker = BlockWalker(
            is_boilerplate,
            protected,
            stop_at=source_element,
            should_stop=related_list_begins,
            ends_at=article_ends,
        )
        blocks = after_line(walker.walk_from(published_element))
        if blocks and (paragraphs.is_related_heading(blocks[-1]) or is_line(blocks[-1])):
            blocks = blocks[:-1]
        onward = keep(blocks)

        # Some templates print the line after the text: then the body is what lies between
        # the headline and the line, and what follows the line is page furniture.
        before: list[str] = []
        title_element = _title_element(published_element, title)
        if title_element is not None:
            walker = BlockWalker(is_boilerplate, protected, stop_at=published_element)
            before = keep(after_title(walker.walk_from(title_element)))
        if before and _length(before) > _length(onward):
            return before, "title_to_published"
        if onward:
            return onward, "published_onward"

    for selector in profile.body_selectors:
        for element in page.css(selector):
            walker = BlockWalker(is_boilerplate, protected, stop_at=source_element)
            if texts := keep(walker.walk_within(element.root)):
                return texts, f"selector:{selector}"

    if jsonld_body:
        texts = [clean_text(part) for part in _JSONLD_SPLIT.split(jsonld_body)]
        if texts := [text for text in texts if text]:
            return texts, "jsonld"
    return [], None


MIN_PROSE_WORDS = 12  # a paragraph of the article, not a caption, a tag line or a button


def _prose_follows(
    element: etree._Element,
    is_boilerplate: Callable[[etree._Element], bool],
    prose_end: re.Pattern[str],
) -> bool:
    """A paragraph of prose comes after `element` in its own container: the element is an
    aside inside the text (a "Lire aussi" box between two paragraphs), not the list of other
    articles that ends it. A paragraph whose class says what it is (an author's bio, a
    copyright) is not the article's."""
    for sibling in element.itersiblings():
        if sibling.tag == "p" and not is_boilerplate(sibling):
            text = clean_text(string_value(sibling))
            if len(text.split()) >= MIN_PROSE_WORDS and prose_end.search(text):
                return True
    return False


def _anchor_chain(element: etree._Element | None) -> set[etree._Element]:
    """An anchor and its ancestors: never skipped as boilerplate on the way to the anchor."""
    if element is None:
        return set()
    return {element, *element.iterancestors()}


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
