"""The headline, from the most specific place that has one, minus the site's name."""

from __future__ import annotations

import re
from functools import cache
from itertools import chain

from lxml import etree
from parsel import Selector, css2xpath

from newsagg.extract.text import clean_text, fold_for_match, string_value
from newsagg.sites.profiles import SiteProfile

_SEPARATORS = r"\s*[-|:–—»«·•]\s*"


def extract_title(
    page: Selector,
    profile: SiteProfile,
    jsonld: dict[str, object],
    published_element: etree._Element | None,
) -> str | None:
    """The profile's selectors, then JSON-LD `headline`; else the page's own heading (the one
    just before the published line, or an <h1> that is not the logo) when og:title/<title>
    agree with it, else og:title/<title>, each minus the site name."""
    root = page.root
    headline = jsonld.get("headline")
    specific = chain(
        (_css_string(selector)(root) for selector in profile.title_selectors),
        [headline if isinstance(headline, str) else None],
    )
    for raw in specific:  # lazily: the first usable one ends the search
        if text := _usable(raw, profile):
            return text

    metas = (_OG_TITLE(root), _TWITTER_TITLE(root), _TITLE(root))
    meta = next((text for raw in metas if (text := _usable(raw, profile))), None)
    headings = _headings_before(published_element) if published_element is not None else []
    headings += [string_value(h1) for h1 in _H1(root)]
    usable = [text for raw in headings if (text := _usable(raw, profile))]
    if meta is None:
        return usable[0] if usable else None
    folded_meta = fold_for_match(meta)
    for text in usable:
        folded = fold_for_match(text)
        shorter, longer = sorted((folded, folded_meta), key=len)
        if shorter and shorter in longer and len(shorter) >= 0.6 * len(longer):
            return text
    return meta


@cache
def _css_string(selector: str) -> etree.XPath:
    """The string-value of the first element `selector` matches ("" if none), compiled once."""
    return etree.XPath(f"string({css2xpath(selector)})")


_OG_TITLE = _css_string('meta[property="og:title"]::attr(content)')
_TWITTER_TITLE = _css_string('meta[name="twitter:title"]::attr(content)')
_TITLE = etree.XPath("string(//title)")
_H1 = etree.XPath("//h1")


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
    return ["".join(h.itertext()) for h in reversed(headings)]


def strip_site_name(text: str, profile: SiteProfile) -> str:
    """`Crise ukrainienne - Maghress` / `مغرس : عنوان` -> the headline alone."""
    return _site_name_pattern(profile.site_names).sub("", text).strip()


@cache
def _site_name_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    site = rf"(?:{alternatives})(?:\.com)?"
    return re.compile(rf"^{site}{_SEPARATORS}|{_SEPARATORS}{site}$", re.IGNORECASE)
