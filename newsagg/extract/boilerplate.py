"""What is never article text: elements by class/id, and paragraphs by what they say."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from lxml import etree

from newsagg.extract.blocks import Block
from newsagg.extract.text import fold_for_match
from newsagg.sites.profiles import SiteProfile

_TOKEN_SPLIT = re.compile(r"[\s_-]+")
# A ticker is one long line of headlines separated by runs of no-break spaces.
_TICKER_GAP = re.compile(r"(?:\u00a0|&nbsp;)\s*(?:\u00a0|&nbsp;)")
_CREDIT = re.compile(
    r"^(?:©|\(c\)|crédit|credit|photo\s*:|ph\.|\(photo|source photo|فوتو|صورة\s*:)", re.IGNORECASE
)
_SHARE_WORDS = frozenset(
    [
        "partager",
        "tweet",
        "tweeter",
        "facebook",
        "twitter",
        "x",
        "whatsapp",
        "linkedin",
        "telegram",
        "messenger",
        "email",
        "e",
        "mail",
        "imprimer",
        "print",
        "share",
        "compartir",
        "imprimir",
        "شارك",
        "مشاركة",
        "طباعة",
        "تويتر",
        "فيسبوك",
        "واتساب",
    ]
)
_NAME_PARTICLES = frozenset(
    ["de", "du", "des", "la", "le", "el", "al", "ben", "bin", "ibn", "et", "y", "and"]
)
_SENTENCE_END = re.compile(r"[.!?؟…:]$")


def element_checker(profile: SiteProfile) -> Callable[[etree._Element], bool]:
    """`is_boilerplate(element)`: its class or id carries one of the profile's tokens."""
    return _element_checker(profile.boilerplate_tokens)


@cache
def _element_checker(tokens: frozenset[str]) -> Callable[[etree._Element], bool]:
    def is_boilerplate(element: etree._Element) -> bool:
        names = f"{element.get('class', '')} {element.get('id', '')}".lower()
        if not names.strip():
            return False
        return any(part in tokens for part in _parts(names))

    return is_boilerplate


@cache
def _parts(names: str) -> tuple[str, ...]:
    whole = names.split()
    return (*whole, *(part for name in whole for part in _TOKEN_SPLIT.split(name) if part))


class ParagraphFilter:
    """Rules that drop a paragraph from a body by its text: widget sentences, "Lire aussi"
    asides, bylines, captions, ads, share bars, tickers, link-only lines."""

    def __init__(self, profile: SiteProfile) -> None:
        langs = profile.language_profiles
        self.boilerplate = tuple(fold_for_match(p) for lang in langs for p in lang.boilerplate)
        self.read_also = tuple(fold_for_match(p) for lang in langs for p in lang.read_also)
        self.bylines = tuple(fold_for_match(p) for lang in langs for p in lang.bylines)
        # The same phrases as sets and prefix tuples: each block is tested by C code in a few
        # calls instead of a Python loop over every phrase.
        self._boilerplate_whole = frozenset(self.boilerplate)
        self._boilerplate_starts = tuple(p for p in self.boilerplate if len(p) >= 15)
        self._read_also_whole = frozenset(self.read_also)
        self._read_also_starts = tuple(f"{m} " for m in self.read_also)
        self._byline_starts = tuple(f"{m} " for m in self.bylines)

    def reason_to_drop(self, block: Block) -> str | None:
        text = block.text
        folded = block.folded
        if not folded:
            return "punctuation"
        if block.is_link_only:
            return "link_only"
        if len(_TICKER_GAP.findall(block.raw)) >= 2:
            return "ticker"
        if folded in self._boilerplate_whole or folded.startswith(self._boilerplate_starts):
            return "boilerplate"
        if self.is_read_also(block):
            return "read_also"
        words = folded.split()
        if self.is_byline(text, folded):
            return "byline"
        if len(words) <= 14 and _CREDIT.match(text):
            return "caption"
        if _SHARE_WORDS.issuperset(words):
            return "share"
        return None

    def is_byline(self, text: str, folded: str) -> bool:
        """ "Par Karim Dupont", "بقلم محمد": a marker then at most five name-like words."""
        if _SENTENCE_END.search(text) or not folded.startswith(self._byline_starts):
            return False
        for marker, start in zip(self.bylines, self._byline_starts, strict=True):
            if folded.startswith(start):
                names = text.split()[len(marker.split()) :]
                return 0 < len(names) <= 5 and all(
                    not word[0].isalpha() or not word[0].isascii() or word[0].isupper()
                    for word in names
                    if word.lower() not in _NAME_PARTICLES
                )
        return False

    def is_read_also(self, block: Block) -> bool:
        folded = block.folded
        return folded in self._read_also_whole or folded.startswith(self._read_also_starts)

    def is_related_heading(self, block: Block) -> bool:
        """A heading such as "Articles similaires" that opens a list of other articles."""
        return len(block.text.split()) <= 5 and self.is_read_also(block)


@cache
def paragraph_filter(profile: SiteProfile) -> ParagraphFilter:
    """The profile's filter, built once."""
    return ParagraphFilter(profile)
