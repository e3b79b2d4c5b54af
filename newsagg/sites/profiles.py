"""Site profiles: TOML files -> validated, immutable `SiteProfile` values.

A site file names a template (`templates/<name>.toml`) and overrides what differs. Every file is
checked when loaded; a mistake raises `ProfileError` with one line naming the file and the key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any
from urllib.parse import urlsplit

from newsagg.errors import ProfileError

# Package resources, not file paths: inside a zipped egg (scrapyd) there are no files.
SITES_DIR = resources.files("newsagg.sites")
TEMPLATES_DIR = SITES_DIR / "templates"

# Date shapes substituted for `{date}` in the published-line patterns: DD - MM - YYYY (also / or
# .), or a day, a month name and a year ("7 mars 2023", "7 de marzo de 2023", "٧ مارس ٢٠٢٣").
DATE_SHAPES = (
    r"[\d٠-٩]{1,2}\s*[-/.]\s*[\d٠-٩]{1,2}\s*[-/.]\s*[\d٠-٩]{4}"
    r"|[\d٠-٩]{1,2}(?:er|º)?\s+(?:de\s+)?[^\W\d_]+(?:\s[^\W\d_]+)?\.?,?\s+(?:de\s+)?[\d٠-٩]{4}"
)

LANGUAGE_KEYS = {
    "prefix": str,
    "listing_path": str,
    "published": list,
    "read_at_source": list,
    "read_also": list,
    "boilerplate": list,
    "bylines": list,
}
SITE_KEYS = {
    "name": str,
    "template": str,
    "base_url": str,
    "country": str,
    "default_language": str,
    "languages": list,
    "site_names": list,
    "listing_paths": list,
    "article_path": str,
    "source_listing_path": str,
    "never_follow": list,
    "reserved_slugs": list,
    "title_selectors": list,
    "body_selectors": list,
    "next_page_selectors": list,
    "next_page_texts": list,
    "boilerplate_tokens": list,
    "body_end_tokens": list,
}
_TYPE_NAMES = {str: "string", list: "list", dict: "table"}
REQUIRED_SITE_KEYS = ("name", "base_url", "default_language", "languages", "site_names")


@dataclass(frozen=True, slots=True)
class LanguageProfile:
    """What one language edition of a site writes around its articles."""

    code: str
    prefix: str  # "" for the default language, "/fr" for French...
    listing_path: str
    published: tuple[re.Pattern[str], ...]
    published_keywords: tuple[str, ...]  # literal openings of `published`, for a fast search
    read_at_source: tuple[str, ...]
    read_also: tuple[str, ...]
    boilerplate: tuple[str, ...]
    bylines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SiteProfile:
    """Everything newsagg knows about one aggregator site; built only by `load_profile`."""

    name: str
    base_url: str
    host: str
    country: str
    default_language: str
    languages: tuple[str, ...]
    site_names: tuple[str, ...]
    listing_paths: tuple[str, ...]
    article_path: re.Pattern[str]
    source_listing_path: str
    never_follow: tuple[re.Pattern[str], ...]
    reserved_slugs: frozenset[str]  # path segments that are never an outlet ("page", "tag")
    title_selectors: tuple[str, ...]
    body_selectors: tuple[str, ...]
    next_page_selectors: tuple[str, ...]
    next_page_texts: tuple[str, ...]
    boilerplate_tokens: frozenset[str]
    body_end_tokens: frozenset[str]  # boilerplate that ends an article with no source link
    language_profiles: tuple[LanguageProfile, ...]

    def language(self, code: str) -> LanguageProfile:
        for lang in self.language_profiles:
            if lang.code == code:
                return lang
        raise KeyError(code)

    def is_site_name(self, text: str) -> bool:
        folded = text.casefold()
        return any(folded == name.casefold() for name in self.site_names)


def known_sites() -> list[str]:
    """Names of the sites that have a profile file, sorted."""
    return sorted(
        path.name.removesuffix(".toml")
        for path in SITES_DIR.iterdir()
        if path.name.endswith(".toml") and path.is_file()
    )


@cache
def load_profile(name: str) -> SiteProfile:
    """Load and validate `sites/<name>.toml` merged over its template."""
    path = SITES_DIR / f"{name}.toml"
    if not re.fullmatch(r"[a-z0-9_-]+", name) or not path.is_file():
        raise ProfileError(f"unknown site {name!r}; known sites: {', '.join(known_sites())}")
    site = _read_toml(path)
    template_name = site.get("template", "ress")
    template_path = TEMPLATES_DIR / f"{template_name}.toml"
    if not isinstance(template_name, str) or not template_path.is_file():
        raise ProfileError(f"{path.name}: template: no template named {template_name!r}")
    merged = _merge(_read_toml(template_path), site)
    return _build(path.name, merged)


def load_all_profiles() -> list[SiteProfile]:
    """Every shipped profile, validated: what `test_profiles.py` and start-up checks walk."""
    return [load_profile(name) for name in known_sites()]


def _read_toml(path: Traversable) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path.name}: not valid TOML: {exc}") from exc


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; any other value in `override` replaces the template's."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _build(filename: str, data: dict[str, Any]) -> SiteProfile:
    def fail(key: str, message: str) -> ProfileError:
        return ProfileError(f"{filename}: {key}: {message}")

    phrases = data.pop("phrases", {})
    for key in data:
        if key not in SITE_KEYS:
            raise fail(key, f"unknown key; expected one of {', '.join(sorted(SITE_KEYS))}")
    for key in REQUIRED_SITE_KEYS:
        if key not in data:
            raise fail(key, "missing")
    for key, expected in SITE_KEYS.items():
        if key in data and not isinstance(data[key], expected):
            raise fail(key, f"expected a {_TYPE_NAMES[expected]}, got {data[key]!r}")
        if isinstance(data.get(key), list) and not all(isinstance(i, str) for i in data[key]):
            raise fail(key, f"expected a list of strings, got {data[key]!r}")

    codes = tuple(data["languages"])
    if not codes or not all(re.fullmatch(r"[a-z]{2}", code) for code in codes):
        raise fail("languages", f"expected a list of two-letter codes, got {data['languages']!r}")
    if data["default_language"] not in codes:
        raise fail("default_language", f"{data['default_language']!r} is not in languages")
    base = urlsplit(data["base_url"])
    if base.scheme not in ("http", "https") or not base.hostname:
        raise fail("base_url", f"expected an http(s) URL, got {data['base_url']!r}")

    language_profiles = []
    for code in codes:
        table = phrases.get(code)
        if not isinstance(table, dict):
            raise fail(f"phrases.{code}", "no phrases for this language in the template")
        language_profiles.append(_build_language(filename, code, table))

    try:
        article_path = re.compile(data["article_path"])
        never_follow = tuple(re.compile(pattern) for pattern in data.get("never_follow", []))
    except re.error as exc:
        raise fail("article_path/never_follow", f"bad regex: {exc}") from exc
    missing_groups = {"source_slug", "article_id"} - set(article_path.groupindex)
    if missing_groups:
        raise fail("article_path", f"needs named groups {sorted(missing_groups)}")

    listing_paths = tuple(
        data.get("listing_paths") or [lang.listing_path for lang in language_profiles]
    )
    return SiteProfile(
        name=data["name"],
        base_url=data["base_url"].rstrip("/"),
        host=base.hostname,
        country=data.get("country", ""),
        default_language=data["default_language"],
        languages=codes,
        site_names=tuple(data["site_names"]),
        listing_paths=listing_paths,
        article_path=article_path,
        source_listing_path=data.get("source_listing_path", "{prefix}/{source}"),
        never_follow=never_follow,
        reserved_slugs=frozenset(data.get("reserved_slugs", [])) | frozenset(codes),
        title_selectors=tuple(data.get("title_selectors", [])),
        body_selectors=tuple(data.get("body_selectors", [])),
        next_page_selectors=tuple(data.get("next_page_selectors", [])),
        next_page_texts=tuple(data.get("next_page_texts", [])),
        boilerplate_tokens=frozenset(token.lower() for token in data.get("boilerplate_tokens", [])),
        body_end_tokens=frozenset(token.lower() for token in data.get("body_end_tokens", [])),
        language_profiles=tuple(language_profiles),
    )


def _build_language(filename: str, code: str, table: dict[str, Any]) -> LanguageProfile:
    def fail(key: str, message: str) -> ProfileError:
        return ProfileError(f"{filename}: phrases.{code}.{key}: {message}")

    for key, value in table.items():
        expected = LANGUAGE_KEYS.get(key)
        if expected is None:
            raise fail(key, f"unknown key; expected one of {', '.join(sorted(LANGUAGE_KEYS))}")
        if not isinstance(value, expected):
            raise fail(key, f"expected a {_TYPE_NAMES[expected]}, got {value!r}")
        if isinstance(value, list) and not all(isinstance(item, str) and item for item in value):
            raise fail(key, f"expected a list of non-empty strings, got {value!r}")
    for key in ("prefix", "listing_path", "published", "read_at_source"):
        if key not in table or (table[key] in ("", []) and key != "prefix"):
            raise fail(key, "missing")

    patterns = []
    for source in table["published"]:
        if "(?P<outlet>" not in source or "(?P<date>{date})" not in source:
            raise fail("published", f"needs (?P<outlet>...) and (?P<date>{{date}}): {source!r}")
        try:
            patterns.append(re.compile(source.replace("{date}", DATE_SHAPES)))
        except re.error as exc:
            raise fail("published", f"bad regex {source!r}: {exc}") from exc
    # The literal text before the first regex token: what an XPath `contains()` can look for.
    keywords = tuple(
        re.split(r"\\s|[\\(\[.?*+]", source, maxsplit=1)[0] for source in table["published"]
    )
    if not all(keywords):
        raise fail("published", "each pattern must start with literal text, e.g. 'Publié dans'")
    return LanguageProfile(
        code=code,
        prefix=table["prefix"].rstrip("/"),
        listing_path=table["listing_path"],
        published=tuple(patterns),
        published_keywords=keywords,
        read_at_source=tuple(table["read_at_source"]),
        read_also=tuple(table.get("read_also", [])),
        boilerplate=tuple(table.get("boilerplate", [])),
        bylines=tuple(table.get("bylines", [])),
    )
