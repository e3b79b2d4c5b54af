"""Article URLs: canonical form, and what the path says (language, outlet slug, numeric id)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url, url_query_cleaner

from newsagg.sites.profiles import SiteProfile

# Query parameters that only track the visitor; everything else in a listing URL is kept.
TRACKING_PARAMS = re.compile(
    r"^(?:utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|_gl"
    r"|ref|ref_src|spm|share|from|source|s_cid|cmpid|ito)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class ArticleRef:
    """What an article URL says about the article."""

    url: str  # canonical
    language: str
    source_slug: str
    article_id: int


def canonical_url(url: str) -> str:
    """Tracking parameters and fragment dropped, host lower-cased, query sorted, default port
    dropped: two links to one page give one string."""
    parts = urlsplit(url.strip())
    if parts.port is not None and _DEFAULT_PORTS.get(parts.scheme.lower()) == parts.port:
        parts = parts._replace(netloc=parts.hostname or "")
    url = urlunsplit(parts)
    if parts.query:
        keep = [name for name in _query_names(parts.query) if not TRACKING_PARAMS.match(name)]
        url = url_query_cleaner(url, keep, unique=False, keep_fragments=False)
    return canonicalize_url(url, keep_fragments=False)


def _query_names(query: str) -> list[str]:
    return [pair.split("=", 1)[0] for pair in query.split("&") if pair]


def parse_article_url(url: str, profile: SiteProfile) -> ArticleRef | None:
    """The article a URL points to, or None when the path is not the profile's article pattern
    (or names a language the site does not have)."""
    parts = urlsplit(url)
    match = profile.article_path.match(parts.path)
    if match is None:
        return None
    if match.group("source_slug").lower() in profile.reserved_segments:  # /video/123
        return None
    lang = match.groupdict().get("lang") or profile.default_language
    if lang not in profile.languages:
        return None
    if (
        match.groupdict().get("lang") == profile.default_language
        and profile.language(lang).prefix == ""
    ):
        return None  # /ar/x/1 is not an article URL when Arabic sits at the root
    # Articles are identified by path alone: every query parameter is noise.
    path = match.group(0).rstrip("/")
    canonical = urlunsplit((parts.scheme, parts.netloc.lower(), path, "", ""))
    return ArticleRef(
        url=canonical,
        language=lang,
        source_slug=match.group("source_slug"),
        article_id=int(match.group("article_id")),
    )


def absolute_url(base: str, href: str | None) -> str | None:
    """`href` resolved against `base`; None for empty, javascript: and mailto: links."""
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
        return None
    return urljoin(base, href)


def is_never_follow(url: str, profile: SiteProfile) -> bool:
    """Paths never requested: the profile's `never_follow` patterns, and anything under a
    reserved first segment (categories, video, author, the JSF servlet...), in any language."""
    path = urlsplit(url).path
    if any(pattern.search(path) for pattern in profile.never_follow):
        return True
    return _first_segment(path, profile) in profile.unvisited_segments


@dataclass(frozen=True, slots=True)
class OutletRef:
    """An outlet's own listing: `/{slug}` at the root or `{prefix}/{slug}`."""

    language: str
    slug: str


def parse_outlet_listing(url: str, profile: SiteProfile) -> OutletRef | None:
    """The outlet whose listing `url` is (its first page: no query), or None."""
    parts = urlsplit(url)
    if parts.query:
        return None
    segments = [segment for segment in parts.path.split("/") if segment]
    language = profile.default_language
    if len(segments) == 2:
        prefixed = [lang for lang in profile.language_profiles if lang.prefix == f"/{segments[0]}"]
        if not prefixed:
            return None
        language, segments = prefixed[0].code, segments[1:]
    if len(segments) != 1 or not _SLUG.fullmatch(segments[0]):
        return None
    if segments[0].lower() in profile.reserved_segments:
        return None
    return OutletRef(language, segments[0])


_SLUG = re.compile(r"[A-Za-z0-9_.-]+")


def _first_segment(path: str, profile: SiteProfile) -> str:
    segments = [segment for segment in path.split("/") if segment]
    prefixes = {lang.prefix for lang in profile.language_profiles}
    if segments and f"/{segments[0]}" in prefixes:  # /fr/... : the French edition's
        segments = segments[1:]
    return segments[0].lower() if segments else ""
