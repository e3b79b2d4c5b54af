"""The article text: the run of paragraphs between the published line and the read-at-source
link, with everything that is not the article's own prose left out."""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree
from parsel import Selector

from newsagg.extract.blocks import Block, BlockWalker
from newsagg.extract.boilerplate import paragraph_filter
from newsagg.extract.published import parse_published_line
from newsagg.extract.text import clean_text, fold_for_match
from newsagg.sites.profiles import SiteProfile

BodyMethod = str  # "published_to_source", "published_onward", "title_to_published", ...
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
) -> tuple[list[str], BodyMethod | None]:
    """Paragraphs of the body, and which anchor found them; ([], None) when none did.

    Tried in order, the first that yields text wins: published line -> read-at-source link;
    published line onward to the first related-list heading; title -> published line (for
    templates that print the line after the text); the profile's body selectors; JSON-LD
    `articleBody`."""
    paragraphs = paragraph_filter(profile)
    protected = _anchor_chain(published_element) | _anchor_chain(source_element)
    title_folded = fold_for_match(title or "")

    def keep(blocks: list[Block]) -> list[str]:
        texts = []
        for block in blocks:
            if paragraphs.reason_to_drop(block) is not None:
                continue
            if parse_published_line(block.text, profile.language_profiles) is not None:
                continue  # a related item's own line
            if title_folded and block.folded == title_folded:
                continue
            texts.append(block.text)
        return texts

    def after_line(blocks: list[Block]) -> list[Block]:
        for index, block in enumerate(blocks):
            if parse_published_line(block.text, profile.language_profiles) is not None:
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
                started = parse_published_line(block.text, profile.language_profiles) is not None
                return False
            return paragraphs.is_related_heading(block) or (
                parse_published_line(block.text, profile.language_profiles) is not None
            )

        walker = BlockWalker(
            is_boilerplate, protected, stop_at=source_element, should_stop=related_list_begins
        )
        blocks = after_line(walker.walk_from(published_element))
        if blocks and (
            paragraphs.is_related_heading(blocks[-1])
            or parse_published_line(blocks[-1].text, profile.language_profiles)
        ):
            blocks = blocks[:-1]
        if texts := keep(blocks):
            return texts, "published_onward"

        title_element = _title_element_before(published_element)
        if title_element is not None:
            walker = BlockWalker(is_boilerplate, protected, stop_at=published_element)
            if texts := keep(walker.walk_from(title_element)[1:]):
                return texts, "title_to_published"

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


def _anchor_chain(element: etree._Element | None) -> set[etree._Element]:
    """An anchor and its ancestors: never skipped as boilerplate on the way to the anchor."""
    if element is None:
        return set()
    return {element, *element.iterancestors()}


def _precedes(first: etree._Element, second: etree._Element) -> bool:
    """True when `first` opens before `second` in document order."""
    return _position(first) < _position(second)


def _position(element: etree._Element) -> tuple[int, ...]:
    path = []
    while (parent := element.getparent()) is not None:
        path.append(parent.index(element))
        element = parent
    return tuple(reversed(path))


def _title_element_before(element: etree._Element) -> etree._Element | None:
    found = element.xpath("preceding::*[self::h1 or self::h2][1]")
    return found[0] if found else None
