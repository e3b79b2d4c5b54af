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

MAX_CAPTION_WORDS = 30
_TOKEN_SPLIT = re.compile(r"[\s_-]+")
# A ticker is one long line of headlines separated by runs of no-break spaces.
_TICKER_GAP = re.compile(r"(?:\u00a0|&nbsp;)\s*(?:\u00a0|&nbsp;)")
_CREDIT = re.compile(
    r"^(?:©|\(c\)|crédit|credit|photo\s*:|ph\.|\(photo|source photo|فوتو|صورة\s*:)", re.IGNORECASE
)
_CREDIT_AT_END = re.compile(
    r"(?:\b(?:photo|foto|ph|crédit|credit|source|fuente|archives?)\b\.?\s*:?|©|صورة\s*:|الصورة\s*:)"
    r"\s*[^.!?؟]{0,40}$",
    re.IGNORECASE,
)
_READING_TIME = re.compile(
    r"\b\d+\s*(?:min|mins|minutes?|minutos?)\b|\d+\s*(?:دقائق|دقيقة)", re.IGNORECASE
)
_META_LINE = re.compile(
    r"^(?:affichages|vues|lectures|visites|views|hits|visitas|lecturas|rubrique|catégorie"
    r"|categorie|section|categoría|sección|مشاهدات|المشاهدات|القسم|التصنيف|قراءات|القراءات"
    r"|lien court|short link|enlace corto|رابط مختصر)\s*:?"
    r"|^(?:tags|mots[- ]clés|étiquettes|etiquetas|وسوم|الوسوم|الكلمات الدلالية|كلمات دلالية"
    r"|التسميات)\b"
    r"|^(?:vidéo|video|vídeo|فيديو|audio|photos?|diaporama|galerie)\s*:?$"
    r"|^[\d٠-٩\s.,]+\s*(?:vues|views|lectures|visitas|مشاهدة|قراءة)?$"
    r"|.*\bgoogle news\b"
    # a download's file info: "Documento PDF · 212 páginas · 4,2 MB"
    r"|.*\b(?:pdf|docx?|pages|páginas|صفحة)\b.*\b\d+(?:[.,]\d+)?\s*(?:[kmg]b|[kmg]o)\b",
    re.IGNORECASE,
)
_PAGINATION = re.compile(
    r"^(?:pages?|página|صفحة)?\s*(?:[«‹<]\s*)?(?:\d+\s+){1,}\d*\s*"
    r"(?:suivant|suivante|siguiente|next|التالي|[»›>])?$",
    re.IGNORECASE,
)
_SOCIAL_HOSTS = (
    "facebook.com",
    "twitter.com",
    "x.com",
    "t.me",
    "whatsapp.com",
    "linkedin.com",
    "instagram.com",
    "youtube.com",
    "tiktok.com",
    "pinterest.com",
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
    return _element_checker(profile.boilerplate_tokens)


def end_checker(profile: SiteProfile) -> Callable[[etree._Element], bool]:
    """`ends_article(element)`: a related list, comments, a sidebar... (class or id)."""
    return _element_checker(profile.body_end_tokens)


@cache
def _element_checker(tokens: frozenset[str]) -> Callable[[etree._Element], bool]:
    def is_boilerplate(element: etree._Element) -> bool:
        if element.tag in _NEVER_BOILERPLATE:
            return False
        if _is_hidden(element):
            return True
        names = f"{element.get('class', '')} {element.get('id', '')}".lower()
        if not names.strip():
            return False
        return any(part in tokens for part in _parts(names))

    return is_boilerplate


# Page-level wrappers carry state classes ("single-post has-sidebar ads-on"), never a verdict.
_NEVER_BOILERPLATE = frozenset({"html", "body", "main"})
# "has-post-thumbnail", "no-comments", "is-layout-flow": state, not what the element is.
_STATE_PREFIXES = ("has-", "no-", "with-", "is-", "status-", "format-", "type-")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def _is_hidden(element: etree._Element) -> bool:
    """Not shown to readers: the report-image widget's thank-you, collapsed menus."""
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    style = element.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


@lru_cache(maxsize=4096)  # bounded: ids such as "post-1004960" are one per article
def _parts(names: str) -> tuple[str, ...]:
    whole = [name for name in names.split() if not name.startswith(_STATE_PREFIXES)]
    return (*whole, *(part for name in whole for part in _TOKEN_SPLIT.split(name) if part))


@dataclass(frozen=True, slots=True)
class _FoldedPhrases:
    """A profile's phrases folded once, as the sets and tuples one `in` or `startswith` call
    tests a paragraph against (a loop over them cost a third of the filter's time)."""

    boilerplate: frozenset[str]
    boilerplate_openings: tuple[str, ...]  # long enough to be a sentence's own opening
    read_also: frozenset[str]
    read_also_openings: tuple[str, ...]  # "lire aussi "
    read_also_glued: tuple[str, ...]  # "lire aussi" glued to its link
    bylines: tuple[str, ...]
    byline_openings: tuple[str, ...]  # "par "

    @classmethod
    @cache
    def of(cls, profile: SiteProfile) -> _FoldedPhrases:
        langs = profile.language_profiles
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
        )


class ParagraphFilter:
    """Rules that drop a paragraph from a body by its text: widget sentences, "Lire aussi"
    asides, bylines, captions, ads, share bars, tickers, link-only lines."""

    def __init__(self, profile: SiteProfile, page_host: str = "") -> None:
        self.page_host = page_host.lower()
        self.phrases = _FoldedPhrases.of(profile)

    def reason_to_drop(self, block: Block) -> str | None:
        text = block.text
        folded = fold_for_match(text)
        if not folded:
            return "punctuation"
        if block.is_link_only and not self.links_elsewhere(block):
            return "link_only"  # another article of this site, a section, a tag
        if (block.has_image or block.after_image) and self.is_caption(text, block.is_heading):
            return "caption"  # a line of text beside or under a picture
        if len(text.split()) <= 12 and (
            _READING_TIME.search(text) or _META_LINE.match(text) or _PAGINATION.match(text)
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
        if len(words) <= 14 and _CREDIT.match(text):
            return "caption"
        if all(word in _SHARE_WORDS for word in words):
            return "share"
        return None

    @staticmethod
    def is_caption(text: str, is_heading: bool) -> bool:
        """Short, and credited ("… Foto: EFE") or, unless it is a subheading, not a finished
        sentence."""
        if len(text.split()) > MAX_CAPTION_WORDS:
            return False
        if _CREDIT_AT_END.search(text):
            return True
        return not is_heading and not _SENTENCE_END.search(text)

    def is_byline(self, text: str, folded: str, heading: bool = False) -> bool:
        """ "Par Karim Dupont", "Par la rédaction", "بقلم محمد": a marker, then at most five
        name-like words (capitalized, unless the script has no case). A heading (h1-h6) only
        with a colon ("بقلم: محمد"): Arabic has no capital to tell a name from a subheading
        that opens with the marker's word ("بقلم القصب على ورق البردي")."""
        if _SENTENCE_END.search(text) or not folded.startswith(self.phrases.byline_openings):
            return False
        for marker in self.phrases.bylines:
            if folded.startswith(f"{marker} "):
                tokens = text.split()
                count = len(marker.split())
                if heading and not _colon_after(tokens, count):
                    return False
                words = [w.strip(".,·:|") for w in tokens[count:]]
                names = [w for w in words if w and w.lower() not in _NAME_PARTICLES]
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
            if not host or host == self.page_host or host.endswith(_SOCIAL_HOSTS):
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
