"""What is never article text: elements by class/id, and paragraphs by what they say."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from urllib.parse import urlsplit

from lxml import etree

from newsagg.extract.blocks import HEADING_TAGS, Block
from newsagg.extract.text import fold_for_match
from newsagg.sites.profiles import SiteProfile
from newsagg.sites.vocabulary import Punctuation, Vocabulary

MAX_CAPTION_WORDS = 30
_TOKEN_SPLIT = re.compile(r"[\s_-]+")
# A ticker is one long line of headlines separated by runs of no-break spaces.
_TICKER_GAP = re.compile(r"(?:\u00a0|&nbsp;)\s*(?:\u00a0|&nbsp;)")


def _colon_after(tokens: list[str], count: int) -> bool:
    """The first `count` words (a byline marker) end with a colon: "Par :", "بقلم:". (Fewer
    words than the marker: its words were glued by punctuation, "Propos-recueillis-par".)"""
    if len(tokens) < count:
        return False
    return tokens[count - 1].endswith(":") or (len(tokens) > count and tokens[count][0] == ":")


def _has_gap(raw: str) -> bool:
    """What `_TICKER_GAP` needs, found without running it on every paragraph."""
    return "\u00a0" in raw or "&nbsp;" in raw


def element_checker(profile: SiteProfile) -> Callable[[etree._Element], bool]:
    """`is_boilerplate(element)`: its class or id carries one of the profile's tokens."""
    return _element_checker(profile.boilerplate_tokens, profile.class_state_prefixes)


def end_checker(profile: SiteProfile) -> Callable[[etree._Element], bool]:
    """`ends_article(element)`: a related list, comments, a sidebar... (class or id)."""
    return _element_checker(profile.body_end_tokens, profile.class_state_prefixes)


@cache
def _element_checker(
    tokens: frozenset[str], state_prefixes: tuple[str, ...]
) -> Callable[[etree._Element], bool]:
    parts = _class_parts(state_prefixes)

    def is_boilerplate(element: etree._Element) -> bool:
        if element.tag in _NEVER_BOILERPLATE:
            return False
        if _is_hidden(element):
            return True
        names = f"{element.get('class', '')} {element.get('id', '')}".lower()
        if not names.strip():
            return False
        return any(part in tokens for part in parts(names))

    return is_boilerplate


# Page-level wrappers carry state classes ("single-post has-sidebar ads-on"), never a verdict.
_NEVER_BOILERPLATE = frozenset({"html", "body", "main"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def _is_hidden(element: etree._Element) -> bool:
    """Not shown to readers: the report-image widget's thank-you, collapsed menus."""
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    style = element.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


@cache
def _class_parts(state_prefixes: tuple[str, ...]) -> Callable[[str], tuple[str, ...]]:
    """`parts(names)`: the class/id names but those that tell a state ("has-post-thumbnail"),
    and their pieces ("post-share" -> "post", "share"); one cache for both checkers."""

    @lru_cache(maxsize=4096)  # bounded: ids such as "post-1004960" are one per article
    def parts(names: str) -> tuple[str, ...]:
        whole = [name for name in names.split() if not name.startswith(state_prefixes)]
        return (*whole, *(part for name in whole for part in _TOKEN_SPLIT.split(name) if part))

    return parts


@dataclass(frozen=True, slots=True, eq=False)
class _Rules:
    """A profile's words folded and compiled once: phrase sets and tuples that one `in` or
    `startswith` call tests a paragraph against (a loop over them cost a third of the filter's
    time), and the vocabulary's lists set in the shapes of the lines they mark."""

    boilerplate: frozenset[str]
    boilerplate_openings: tuple[str, ...]  # long enough to be a sentence's own opening
    read_also: frozenset[str]
    read_also_openings: tuple[str, ...]  # "lire aussi "
    read_also_glued: tuple[str, ...]  # "lire aussi" glued to its link
    bylines: tuple[str, ...]
    byline_openings: tuple[str, ...]  # "par "
    share_words: frozenset[str]
    name_particles: frozenset[str]
    social_hosts: tuple[str, ...]
    markers: _Markers

    @classmethod
    @cache
    def of(cls, profile: SiteProfile) -> _Rules:
        langs = profile.language_profiles
        words = profile.vocabulary
        boilerplate = [fold_for_match(p) for lang in langs for p in lang.boilerplate]
        read_also = [fold_for_match(p) for lang in langs for p in lang.read_also]
        bylines = tuple(fold_for_match(p) for lang in langs for p in lang.bylines)
        return cls(
            boilerplate=frozenset(boilerplate),
            boilerplate_openings=tuple(p for p in boilerplate if len(p) >= 15),
            read_also=frozenset(read_also),
            read_also_openings=tuple(f"{p} " for p in read_also),
            read_also_glued=tuple(read_also),
            bylines=bylines,
            byline_openings=tuple(f"{p} " for p in bylines),
            share_words=frozenset(fold_for_match(word) for word in words.share_words),
            name_particles=frozenset(word.lower() for word in words.name_particles),
            social_hosts=profile.social_hosts,
            markers=_Markers.of(words, profile.punctuation),
        )


@dataclass(frozen=True, slots=True, eq=False)
class _Markers:
    """Lines that are never article text, by shape: each regex is the vocabulary's lists (of
    every language) set in one frame. All but the punctuation ignore case."""

    credit: re.Pattern[str]  # opens a short line: "Crédit : AFP", "(Photo MAP)"
    credit_at_end: re.Pattern[str]  # ends a caption: "Le port de Tanger. Photo : AFP"
    reading_time: re.Pattern[str]  # "Lecture : 5 min"
    meta_line: re.Pattern[str]  # "Vues : 120", "Mots-clés : …", "Vidéo", "PDF · 4,2 Mo"
    pagination: re.Pattern[str]  # "Page 1 2 3 Suivant"
    sentence_end: re.Pattern[str]
    prose_end: re.Pattern[str]

    @classmethod
    def of(cls, w: Vocabulary, marks: Punctuation) -> _Markers:
        return cls(
            credit=_regex(rf"^(?:{_either(w.credit_openings)})"),
            credit_at_end=_regex(
                rf"(?:\b(?:{_either(w.credit_words)})\b\.?\s*:?|{_either(w.credit_marks)})"
                rf"\s*[^{_chars(marks.full_stops)}]{{0,40}}$"
            ),
            reading_time=_regex(_either(w.reading_time)),
            meta_line=_regex(
                rf"^(?:{_either(w.meta_labels)})\s*:?"
                rf"|^(?:{_either(w.meta_tags)})\b"
                rf"|^(?:{_either(w.meta_media)})\s*:?$"
                rf"|^[\d\s.,]+\s*(?:{_either(w.meta_counts)})?$"
                rf"|.*\b(?:{_either(w.meta_mentions)})\b"
                rf"|.*\b(?:{_either(w.meta_files)})\b"  # a download: "PDF · 12 pages · 4,2 Mo"
                rf".*\b\d+(?:[.,]\d+)?\s*(?:{_either(w.meta_sizes)})\b"
            ),
            pagination=_regex(
                rf"^(?:{_either(w.page_words)})?\s*(?:[«‹<]\s*)?(?:\d+\s+){{1,}}\d*\s*"
                rf"(?:{_either(w.next_words)}|[»›>])?$"
            ),
            sentence_end=re.compile(f"[{_chars(marks.sentence_end)}]$"),
            prose_end=re.compile(f"[{_chars(marks.prose_end)}]$"),
        )


def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _either(alternatives: tuple[str, ...]) -> str:
    """Regex alternatives for a group; with none, one that never matches."""
    return "|".join(alternatives) or "(?!)"


def _chars(characters: str) -> str:
    """The inside of a regex [...] that holds exactly these characters."""
    return "".join(re.escape(char) for char in characters)


class ParagraphFilter:
    """Rules that drop a paragraph from a body by its text: widget sentences, "Lire aussi"
    asides, bylines, captions, ads, share bars, tickers, link-only lines."""

    def __init__(self, profile: SiteProfile, page_host: str = "") -> None:
        self.page_host = page_host.lower()
        self.phrases = _Rules.of(profile)
        self.markers = self.phrases.markers

    def reason_to_drop(self, block: Block) -> str | None:
        text = block.text
        folded = fold_for_match(text)
        if not folded:
            return "punctuation"
        if block.is_link_only and not self.links_elsewhere(block):
            return "link_only"  # another article of this site, a section, a tag
        if (block.has_image or block.after_image) and self.is_caption(text, block.is_heading):
            return "caption"  # a line of text beside or under a picture
        markers = self.markers
        if len(text.split()) <= 12 and (
            markers.reading_time.search(text)
            or markers.meta_line.match(text)
            or markers.pagination.match(text)
        ):
            return "meta"  # reading time, view counter, section label, page numbers
        if _has_gap(block.raw) and len(_TICKER_GAP.findall(block.raw)) >= 2:
            return "ticker"
        if folded in self.phrases.boilerplate or folded.startswith(
            self.phrases.boilerplate_openings
        ):
            return "boilerplate"
        if self.is_read_also(block):
            return "read_also"
        words = folded.split()
        if self.is_byline(text, folded, heading=block.tag in HEADING_TAGS):
            return "byline"
        if len(words) <= 14 and markers.credit.match(text):
            return "caption"
        if all(word in self.phrases.share_words for word in words):
            return "share"
        return None

    def is_caption(self, text: str, is_heading: bool) -> bool:
        """Short, and credited ("… Foto: EFE") or, unless it is a subheading, not a finished
        sentence."""
        if len(text.split()) > MAX_CAPTION_WORDS:
            return False
        if self.markers.credit_at_end.search(text):
            return True
        return not is_heading and not self.markers.sentence_end.search(text)

    def is_byline(self, text: str, folded: str, heading: bool = False) -> bool:
        """ "Par Karim Dupont", "Par la rédaction", "بقلم محمد": a marker, then at most five
        name-like words (capitalized, unless the script has no case). A heading (h1-h6) only
        with a colon ("بقلم: محمد"): Arabic has no capital to tell a name from a subheading
        that opens with the marker's word ("بقلم القصب على ورق البردي")."""
        if self.markers.sentence_end.search(text) or not folded.startswith(
            self.phrases.byline_openings
        ):
            return False
        for marker in self.phrases.bylines:
            if folded.startswith(f"{marker} "):
                tokens = text.split()
                count = len(marker.split())
                if heading and not _colon_after(tokens, count):
                    return False
                words = [w.strip(".,·:|") for w in tokens[count:]]
                particles = self.phrases.name_particles
                names = [w for w in words if w and w.lower() not in particles]
                return 0 < len(words) <= 8 and all(
                    not w[0].isalpha() or not w[0].isascii() or w[0].isupper() for w in names
                )
        return False

    def links_elsewhere(self, block: Block) -> bool:
        """The block's links leave the site: a document or a source, not a related article.
        Social networks are not "elsewhere": a line of them is a share bar."""
        for element in block.elements:
            if element.tag != "a":
                continue
            host = (urlsplit(element.get("href", "").strip()).hostname or "").lower()
            if not host or host == self.page_host or host.endswith(self.phrases.social_hosts):
                return False
        return any(element.tag == "a" for element in block.elements)

    def is_read_also(self, block: Block) -> bool:
        """ "Lire aussi : <a>…</a>", also glued to its link ("اقرأ أيضا<a>…</a>")."""
        folded = fold_for_match(block.text)
        phrases = self.phrases
        if folded in phrases.read_also or folded.startswith(phrases.read_also_openings):
            return True
        return bool(block.link_chars) and folded.startswith(phrases.read_also_glued)

    def is_related_heading(self, block: Block) -> bool:
        """A heading such as "Articles similaires" that opens a list of other articles."""
        return len(block.text.split()) <= 5 and self.is_read_also(block)
