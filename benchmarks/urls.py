"""URL scheme of the generated aggregator site (building and parsing paths).

* Arabic listing: ``/`` (page N: ``/?page=N``); other languages: ``/{lang}/`` (``/{lang}/?page=N``).
* Arabic article: ``/{slug}/{num}``; other languages: ``/{lang}/{slug}/{num}``.
* ``num`` is :data:`ID_OFFSET` + the 1-based article id.
* Static pages: ``/p/{name}``; ``/robots.txt``.
"""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

ID_OFFSET = 1_000_000
ROOT_LANGUAGE = "ar"


class Route(NamedTuple):
    """The parsed meaning of a request path."""

    kind: str  # "robots", "static", "listing", "article", "redirect" or "unknown"
    lang: str | None = None
    slug: str | None = None
    num: int | None = None
    page: int | None = None
    target: str | None = None  # static page name or redirect location


def listing_root(lang: str) -> str:
    """First page of a language's listing."""
    return "/" if lang == ROOT_LANGUAGE else f"/{lang}/"


def listing_page_path(lang: str, page: int) -> str:
    """Page ``page`` (1-based) of a language's listing; page 1 is the bare root."""
    root = listing_root(lang)
    return root if page == 1 else f"{root}?page={page}"


def article_path(lang: str, slug: str, num: int) -> str:
    """Path of an article given its outlet slug and public numeric id."""
    if lang == ROOT_LANGUAGE:
        return f"/{slug}/{num}"
    return f"/{lang}/{slug}/{num}"


def _int(text: str) -> int | None:
    """Strict positive decimal (no sign, no leading zero, ASCII digits only)."""
    if text.isascii() and text.isdigit() and not text.startswith("0"):
        return int(text)
    return None


def parse_path(path: str, languages: tuple[str, ...]) -> Route:
    """Classify ``path`` (which may carry a query string) for a site serving ``languages``."""
    parts = urlsplit(path)
    segs = parts.path.split("/")
    if parts.path == "/robots.txt":
        return Route("robots")
    if len(segs) == 3 and segs[1] == "p" and segs[2]:
        return Route("static", target=segs[2])
    listing_lang = None
    if parts.path == "/" and ROOT_LANGUAGE in languages:
        listing_lang = ROOT_LANGUAGE
    elif len(segs) == 3 and segs[2] == "" and segs[1] in languages and segs[1] != ROOT_LANGUAGE:
        listing_lang = segs[1]
    if listing_lang is not None:
        values = parse_qs(parts.query).get("page")
        page = _int(values[-1]) if values else 1
        if page is None:
            return Route("unknown")
        return Route("listing", lang=listing_lang, page=page)
    if len(segs) == 2 and segs[1] in languages and segs[1] != ROOT_LANGUAGE:
        return Route("redirect", target=f"/{segs[1]}/")
    if len(segs) == 3 and ROOT_LANGUAGE in languages and segs[1] not in languages:
        num = _int(segs[2])
        if num is not None and segs[1]:
            return Route("article", lang=ROOT_LANGUAGE, slug=segs[1], num=num)
    if len(segs) == 4 and segs[1] in languages and segs[1] != ROOT_LANGUAGE:
        num = _int(segs[3])
        if num is not None and segs[2]:
            return Route("article", lang=segs[1], slug=segs[2], num=num)
    return Route("unknown")
