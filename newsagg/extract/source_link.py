"""The "read at the source" link that ends every article and points to the outlet's page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from lxml import etree

from newsagg.extract.text import (
    clean_text,
    fold_for_match,
    has_raw_spelling,
    raw_spelling,
    string_value,
)
from newsagg.sites.profiles import LanguageProfile, SiteProfile
from newsagg.sites.vocabulary import Vocabulary


@dataclass(frozen=True, slots=True)
class SourceLink:
    href: str | None  # as written in the page; resolved by the caller
    element: etree._Element


def find_source_link(
    root: etree._Element, profile: SiteProfile, after: etree._Element | None = None
) -> SourceLink | None:
    """The profile's wording first ("Cliquez ici pour lire l'article depuis sa source"),
    looked for after the published line (`after`) if there is one; else the last link to
    another host whose text speaks of the source."""
    languages = profile.language_profiles
    phrases = _phrases_pattern(languages)
    lines: dict[etree._Element, str] = {}  # a parent's text, read once for all its links
    # Cleaning and folding every link of a page costs more than the rest of this search: first
    # only the links after the published line (not the menus and tickers above it) whose raw
    # line holds a word every wording needs. A page where that finds nothing (the link above
    # the line, no wording, or text the hint cannot see, such as mojibake) is read in full.
    source_words = _source_words(profile.vocabulary)
    hint = _hint_pattern(languages)
    if hint is not None:
        for link in _LINKS(root) if after is None else _LINKS_AFTER(after):
            around = _line_around(link, lines)
            if hint.search(around.lower()) and _says_read_at_source(link, around, phrases):
                return SourceLink(href=link.get("href"), element=link)
    fallback = None
    for link in _LINKS(root):
        if _says_read_at_source(link, _line_around(link, lines), phrases):
            return SourceLink(href=link.get("href"), element=link)
        text = fold_for_match(clean_text(string_value(link)))
        if any(word in text for word in source_words):
            host = urlsplit(link.get("href", "")).hostname
            if host and host != profile.host:
                fallback = SourceLink(href=link.get("href"), element=link)
    return fallback


_LINKS = etree.XPath("//a[@href]")
_LINKS_AFTER = etree.XPath("descendant::a[@href] | following::a[@href]")
MAX_LINE_AROUND = 200  # characters: a sentence around the link, not a whole container


def _says_read_at_source(link: etree._Element, around: str, phrases: re.Pattern[str]) -> bool:
    """The link's text, or the line around it, holds a wording. It may run on past the link
    (<a>اضغط هنا</a> للاطلاع على ... من مصدره) or lead up to it (لقراءة الخبر من مصدره
    <a>اضغط هنا</a>). A link with no text (an image) is never the one."""
    text = fold_for_match(clean_text(string_value(link)))
    return bool(text) and bool(
        phrases.search(text) or phrases.search(fold_for_match(clean_text(around)))
    )


@cache
def _source_words(vocabulary: Vocabulary) -> tuple[str, ...]:
    """Words that, in a link to another host, mean "the original" ("source", "مصدر")."""
    return tuple(fold_for_match(word) for word in vocabulary.source_words)


@cache
def _phrases_pattern(languages: tuple[LanguageProfile, ...]) -> re.Pattern[str]:
    """Every wording of every language, folded, as one regex: one search per link text."""
    folded = {fold_for_match(p) for lang in languages for p in lang.read_at_source}
    return re.compile("|".join(re.escape(p) for p in sorted(folded, key=len, reverse=True)))


@cache
def _hint_pattern(languages: tuple[LanguageProfile, ...]) -> re.Pattern[str] | None:
    """A regex on lower-cased raw text that matches wherever a wording could match once the
    text is folded: the longest plain (ASCII or Arabic) word of each wording, letter forms
    and dropped marks allowed. None when some wording has no such word. (Not IGNORECASE:
    that makes each search three times slower on Arabic text.)"""
    words = set()
    for lang in languages:
        for phrase in lang.read_at_source:
            plain = [word for word in fold_for_match(phrase).split() if has_raw_spelling(word)]
            if not plain:
                return None
            words.add(max(plain, key=len))
    spelled = (raw_spelling(word) for word in words)
    return re.compile("|".join(sorted(spelled, key=len, reverse=True)))


def _line_around(link: etree._Element, lines: dict[etree._Element, str]) -> str:
    parent = link.getparent()
    if parent is not None:
        if parent not in lines:
            lines[parent] = string_value(parent)
        if len(lines[parent]) <= MAX_LINE_AROUND:
            return lines[parent]
    return f"{string_value(link)} {link.tail or ''}"
