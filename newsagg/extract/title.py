"""The headline, from the most specific place that has one, minus the site's name."""

from __future__ import annotations

import re
from functools import cache

from lxml import etree
from parsel import Selector
from parsel.csstranslator import HTMLTranslator

from newsagg.extract.text import clean_text, fold_for_match
from newsagg.sites.profiles import SiteProfile

_SEPARATORS = r"\s*[-|:–—»«·•]\s*"


def extract_title(
    page: Selector,
    profile: SiteProfile,
    jsonld: dict[str, object],
    published_element: etree._Element | None,
    meta: str | None,
) -> str | None:
    """The profile's selectors, then JSON-LD `headline`; else the page's own heading (the one
    just before the published line, or an <h1> that is not the logo) when og:title/<title>
    agree with it, else og:title/<title> (`meta`, from `meta_title`), minus the site name."""
    for xpath in _selector_xpaths(profile.title_selectors):  # in order; each is a page scan
        if (found := xpath(page.root)) and (text := _usable(heading_text(found[0]), profile)):
            return text
    headline = jsonld.get("headline")
    if isinstance(headline, str) and (text := _usable(headline, profile)):
        return text

    headings = _headings_before(published_element) if published_element is not None else []
    headings += [heading_text(h1.root) for h1 in page.xpath("//h1")]
    usable = [text for raw in headings if (text := _usable(raw, profile))]
    if meta is None:
        return usable[0] if usable else None
    folded_meta = fold_for_match(meta)
    for text in usable:
        folded = fold_for_match(text)
        shorter, longer = sorted((folded, folded_meta), key=len)
        if shorter and shorter in longer and len(shorter) >= 0.6 * len(longer):
            return text
    if published_element is not None:
        # og:title/<title> may be cut short: the visible headline that begins with it wins.
        visible = published_element.xpath(
            "preceding::*[starts-with(normalize-space(translate(., '\u00a0', ' ')), $meta)]",
            meta=meta,
        )
        if visible:
            text = clean_text("".join(visible[-1].itertext()))
            if len(text) <= 3 * len(meta):
                return text
    return meta


@cache
def _selector_xpaths(selectors: tuple[str, ...]) -> tuple[etree.XPath, ...]:
    """The profile's CSS selectors, translated and compiled once."""
    translator = HTMLTranslator()
    return tuple(etree.XPath(translator.css_to_xpath(selector)) for selector in selectors)


def meta_title(page: Selector, profile: SiteProfile) -> str | None:
    """og:title, twitter:title or <title>, minus the site name: the page's own claim."""
    for xpath in _META_TITLES:
        if (found := xpath(page.root)) and (text := _usable(found, profile)):
            return text
    return None


_META_TITLES = (  # each gives a string: the first match's
    etree.XPath("string(//meta[@property='og:title']/@content)"),
    etree.XPath("string(//meta[@name='twitter:title']/@content)"),
    etree.XPath("string(//title)"),
)


def _usable(raw: str | None, profile: SiteProfile) -> str | None:
    text = strip_site_name(clean_text(raw), profile)
    if len(text) > 3 and not profile.is_site_name(text):
        return text
    return None


def _headings_before(element: etree._Element) -> list[str]:
    headings = element.xpath(
        "preceding::*[self::h1 or self::h2 or self::h3][1]"
        " | ancestor-or-self::*/preceding-sibling::*[self::h1 or self::h2][1]"
    )
    return [heading_text(h) for h in reversed(headings)]


def heading_text(element: etree._Element | str) -> str:
    """A headline's own words: a <small> subtitle or a block inside the heading (a kicker,
    Semantic UI's "sub header" holding the published line) is not part of it."""
    if isinstance(element, str):  # a selector that selected text or an attribute
        return element
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag not in _NOT_HEADLINE:
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts)


_NOT_HEADLINE = frozenset({"small", "div", "p", "br", "ul", "ol", "time", "script", "style"})


def strip_site_name(text: str, profile: SiteProfile) -> str:
    """`Crise ukrainienne - Maghress` / `مغرس : عنوان` -> the headline alone."""
    return _site_name_pattern(profile.site_names).sub("", text).strip()


@cache
def _site_name_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    site = rf"(?:{alternatives})(?:\.com)?"
    return re.compile(rf"^{site}{_SEPARATORS}|{_SEPARATORS}{site}$", re.IGNORECASE)
