"""One article page as the body strategies read it: the anchors `extract_article` found once,
and the block tests every strategy shares, built once per page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree
from parsel import Selector

from newsagg.extract.blocks import Block, BlockWalker
from newsagg.extract.boilerplate import ParagraphFilter
from newsagg.extract.published import PublishedAnchor, opening_words, parse_published_line
from newsagg.extract.text import fold_for_match
from newsagg.sites.profiles import SiteProfile

MAX_LABEL_WORDS = 3
MAX_LINE_EXTRA = 60  # characters a published line's block may hold besides the line itself


@dataclass(frozen=True, slots=True)
class Anchors:
    """What the page was found to hold before its body is looked for."""

    published: PublishedAnchor | None
    source: etree._Element | None  # the read-at-source link
    title: str | None
    jsonld_body: str | None  # JSON-LD `articleBody`
    page_host: str = ""


@dataclass(slots=True)
class BodyPage:
    """The page, its anchors, and how a run of blocks becomes the article's paragraphs."""

    page: Selector
    profile: SiteProfile
    anchors: Anchors
    is_boilerplate: Callable[[etree._Element], bool]
    ends_article: Callable[[etree._Element], bool]  # related lists, comments, sidebars
    paragraphs: ParagraphFilter = field(init=False)
    protected: set[etree._Element] = field(init=False)  # never skipped on the way to an anchor
    walks: dict[str, list[str]] = field(init=False, default_factory=dict)  # shared by strategies
    _title: str = field(init=False)
    _keywords: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.paragraphs = ParagraphFilter(self.profile, self.anchors.page_host)
        self.protected = _chain(self.published) | _chain(self.anchors.source)
        if self.published is not None:  # its line must come out whole ("meta-pub" spans)
            self.protected.update(self.published.iter())
        self._title = fold_for_match(self.anchors.title or "")
        self._keywords = opening_words(self.profile.language_profiles)

    @property
    def published(self) -> etree._Element | None:
        """The element holding the article's own published line."""
        return self.anchors.published.element if self.anchors.published else None

    def walker(self, stop_at: etree._Element | None, **stops: Callable[..., bool]) -> BlockWalker:
        return BlockWalker(self.is_boilerplate, self.protected, stop_at=stop_at, **stops)

    def is_line(self, block: Block) -> bool:
        """A published line standing as its own block (the article's or a related item's);
        a body sentence that happens to begin "Publié dans la revue X le …" is not one."""
        if not any(keyword in block.text for keyword in self._keywords):
            return False  # every wording opens with its keyword: no regex needed
        line = parse_published_line(block.text, self.profile.language_profiles)
        return line is not None and len(block.text) <= len(line.raw) + MAX_LINE_EXTRA

    def is_own_line(self, block: Block) -> bool:
        """The block that is the article's published line, as found once for the page."""
        anchor = self.anchors.published
        if anchor is None or anchor.line.raw not in block.text:
            return False
        return len(block.text) <= len(anchor.line.raw) + MAX_LINE_EXTRA

    def after_line(self, blocks: list[Block]) -> list[Block]:
        """The blocks after the article's published line; none if it is not among them."""
        for index, block in enumerate(blocks):
            if self.is_own_line(block):
                return blocks[index + 1 :]
        return []

    def after_title(self, blocks: list[Block]) -> list[Block]:
        """The blocks after the headline's own block (after the first, if none is)."""
        for index, block in enumerate(blocks):
            if self.is_line(block):
                return blocks[:0]  # the line is inside the title's block: nothing between
            if fold_for_match(block.text) == self._title:
                return blocks[index + 1 :]
        return blocks[1:]

    def keep(self, blocks: list[Block]) -> list[str]:
        """The texts of the blocks that are the article's own prose."""
        source, texts = self.anchors.source, []
        for block in blocks:
            if not texts and block.tag == "li" and len(block.text.split()) <= MAX_LABEL_WORDS:
                continue  # a category or tag item of the meta row above the text
            if self.paragraphs.reason_to_drop(block) is not None:
                continue
            if source is not None and source in block.elements:
                continue  # the read-at-source line itself
            if self.is_line(block):
                continue  # a related item's own line
            if self._title and fold_for_match(block.text) == self._title:
                continue
            texts.append(block.text)
        return texts


def _chain(element: etree._Element | None) -> set[etree._Element]:
    """An anchor and its ancestors."""
    if element is None:
        return set()
    return {element, *element.iterancestors()}
