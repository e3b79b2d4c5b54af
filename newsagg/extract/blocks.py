"""Turn a stretch of the DOM into text blocks (paragraphs), in document order.

A block ends wherever a browser would start a new line: a block-level element, or a `<br>`.
Inline markup (links, bold) stays inside its block. Subtrees that are never article text
(scripts, figures, asides, share bars, ads...) are skipped, unless they hold an anchor we must
see (`protected`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from lxml import etree

from newsagg.extract.text import clean_text

BLOCK_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote section article header main table"
    " thead tbody tfoot tr td th pre center hr address details summary body html".split()
)
HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())
BOLD_TAGS = frozenset({"b", "strong"})
# Never article text, whatever their class says.
SKIP_TAGS = frozenset(
    "script style noscript template iframe object embed svg canvas form button select input"
    " textarea nav footer figure figcaption aside ins marquee label video audio picture map"
    " head title meta link amp-ad amp-embed amp-analytics amp-sidebar amp-social-share"
    " amp-iframe amp-video amp-carousel amp-lightbox".split()
)
IMAGE_TAGS = frozenset({"img", "amp-img"})
MAX_BLOCKS = 2000  # a page is never this long; the bound keeps a broken page cheap


@dataclass(slots=True)
class Block:
    """One paragraph of visible text."""

    raw: str  # as in the page: no-break space runs kept, for ticker detection
    text: str  # cleaned
    tag: str  # the block element it came from
    link_chars: int = 0
    bold_chars: int = 0
    elements: list[etree._Element] = field(default_factory=list)  # inline elements inside
    after_image: bool = False  # the block just before held only a picture

    # Both shares are measured only when there is bold or link text: most paragraphs have none.
    @property
    def is_heading(self) -> bool:
        return self.tag in HEADING_TAGS or (
            self.bold_chars > 0 and self.bold_chars >= _visible_length(self.raw)
        )

    @property
    def is_link_only(self) -> bool:
        return self.link_chars > 0 and self.link_chars >= 0.9 * _visible_length(self.raw)

    @property
    def has_image(self) -> bool:
        return any(_tag(element) in IMAGE_TAGS for element in self.elements)


class _Stop(Exception):
    """Raised inside the walk to end it at once."""


class BlockWalker:
    """Walks from a start element to the end of the document (or a stop element)."""

    def __init__(
        self,
        is_boilerplate: Callable[[etree._Element], bool],
        protected: Iterable[etree._Element] = (),
        stop_at: etree._Element | None = None,
        should_stop: Callable[[Block], bool] | None = None,
        ends_at: Callable[[etree._Element], bool] | None = None,
    ) -> None:
        self.is_boilerplate = is_boilerplate
        self.ends_at = ends_at  # a skipped element that ends the walk
        self.protected = set(protected)
        self.stop_at = stop_at
        self.should_stop = should_stop
        self.blocks: list[Block] = []
        self._parts: list[str] = []
        self._tag = "div"  # the block element the current text belongs to
        self._open: list[str] = []  # block elements entered and not yet left
        self._link_chars = 0
        self._bold_chars = 0
        self._elements: list[etree._Element] = []
        self._in_link = 0
        self._in_bold = 0
        self._saw_image = False  # a picture since the last block with text

    def walk_from(self, start: etree._Element) -> list[Block]:
        """Blocks of `start`'s subtree, then of everything after it in document order."""
        try:
            self._walk(start)
            node = start
            while (parent := node.getparent()) is not None:
                for sibling in node.itersiblings():
                    self._walk(sibling)
                if _tag(parent) in BLOCK_TAGS:
                    self._break()
                    self._tag = "div"
                self._text(parent.tail)
                node = parent
            self._break()
        except _Stop:
            pass
        return self.blocks

    def walk_within(self, element: etree._Element) -> list[Block]:
        """Blocks of `element`'s own subtree only."""
        tail, element.tail = element.tail, None
        try:
            self._walk(element)
            self._break()
        except _Stop:
            pass
        finally:
            element.tail = tail
        return self.blocks

    def _walk(self, element: etree._Element) -> None:
        if element is self.stop_at:
            raise _Stop
        tag = _tag(element)
        if not tag or (
            element not in self.protected
            and (tag in SKIP_TAGS or self.is_boilerplate(element) or _is_form_widget(element))
        ):
            if tag and self.ends_at is not None and self.ends_at(element):
                raise _Stop
            self._text(element.tail)
            return
        if tag in ("br", "hr"):
            self._break()
            self._text(element.tail)
            return
        if tag in IMAGE_TAGS and not "".join(self._parts).strip():
            self._saw_image = True
        if tag == "tr" and _is_data_row(element):
            # A row of figures reads as one line: its cells joined by spaces.
            self._break()
            self._parts = [" ".join("".join(cell.itertext()) for cell in _cells(element))]
            self._break()
            self._text(element.tail)
            return
        is_block = tag in BLOCK_TAGS
        if is_block:
            self._break()
            self._open.append(tag)
            self._tag = tag
        link, bold = tag == "a", tag in BOLD_TAGS
        self._in_link += link
        self._in_bold += bold
        if not is_block:
            self._elements.append(element)
        self._text(element.text)
        for child in element:
            self._walk(child)
        self._in_link -= link
        self._in_bold -= bold
        if is_block:
            self._break()
            self._open.pop()
            self._tag = self._open[-1] if self._open else "div"
        self._text(element.tail)

    def _text(self, text: str | None) -> None:
        if text:
            self._parts.append(text)
            length = _visible_length(text)
            if self._in_link:
                self._link_chars += length
            if self._in_bold:
                self._bold_chars += length

    def _break(self) -> None:
        raw = "".join(self._parts)
        if raw.strip():
            text = clean_text(raw)
            block = Block(
                raw=raw,
                text=text,
                tag=self._tag,
                link_chars=self._link_chars,
                bold_chars=self._bold_chars,
                elements=self._elements,
                after_image=self._saw_image,
            )
            if block.text:
                self._saw_image = False
                self.blocks.append(block)
                if len(self.blocks) >= MAX_BLOCKS or (self.should_stop and self.should_stop(block)):
                    raise _Stop
        self._parts = []
        self._link_chars = self._bold_chars = 0
        self._elements = []


WIDGET_TAGS = frozenset({"div", "section", "table", "ul"})
MAX_WIDGET_TEXT = 400  # characters; a newsletter or poll box says little besides its form


def _is_form_widget(element: etree._Element) -> bool:
    """A newsletter sign-up, poll or search box: a small container around a form."""
    if element.tag not in WIDGET_TAGS or element.find(".//form") is None:
        return False
    return len("".join(element.itertext()).strip()) <= MAX_WIDGET_TEXT


_WHOLE_TEXT = "[normalize-space(translate(., '\u00a0', ' ')) = $text]"
_IN_BODY_WITH_TEXT = etree.XPath(f"//body//*{_WHOLE_TEXT}")
_BEFORE_WITH_TEXT = etree.XPath(f"preceding::*{_WHOLE_TEXT}")


def innermost_with_text(
    context: etree._Element, text: str, *, before: bool = False
) -> etree._Element | None:
    """The innermost element whose whole text (spaces folded) is `text`: anywhere in the
    page body, or with `before`, among the elements that precede `context`."""
    same = (_BEFORE_WITH_TEXT if before else _IN_BODY_WITH_TEXT)(context, text=text)
    return same[-1] if same else None


def document_position(element: etree._Element) -> tuple[int, ...]:
    """Child indexes from the root: tuples compare in document order."""
    path = []
    while (parent := element.getparent()) is not None:
        path.append(parent.index(element))
        element = parent
    return tuple(reversed(path))


MAX_DATA_CELL = 120  # characters; longer cells are layout, not a table of figures


def _cells(row: etree._Element) -> list[etree._Element]:
    return [cell for cell in row if _tag(cell) in ("td", "th")]


def _is_data_row(row: etree._Element) -> bool:
    """A row of two or more short cells with no block markup inside: figures, not layout."""
    cells = _cells(row)
    if len(cells) < 2:
        return False
    for cell in cells:
        if len("".join(cell.itertext()).strip()) > MAX_DATA_CELL:
            return False
        if any(_tag(inner) in BLOCK_TAGS for inner in cell.iterdescendants()):
            return False
    return True


def _visible_length(text: str) -> int:
    """Characters other than white space: what link and bold shares are measured in."""
    return len("".join(text.split()))


def _tag(element: etree._Element) -> str:
    """Lower-case tag name; "" for comments and processing instructions."""
    tag = element.tag
    return tag.lower() if isinstance(tag, str) else ""
