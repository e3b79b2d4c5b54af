"""Site profiles: TOML files -> validated, immutable `SiteProfile` values.

A site file names a template (`templates/<name>.toml`) and overrides what differs. The merged
data is checked against `profile.schema.json` when loaded; a mistake raises `ProfileError` with
one line naming the file and the key.
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
from newsagg.extract.dates import DateRules
from newsagg.sites.validate import check
from newsagg.sites.vocabulary import Punctuation, Vocabulary, build_months, build_vocabulary

# Package resources, not file paths: inside a zipped egg (scrapyd) there are no files.
SITES_DIR = resources.files("newsagg.sites")
TEMPLATES_DIR = SITES_DIR / "templates"

SCHEMA = "profile.schema.json"  # beside this module; checks a site file merged over its template
# What a language edition needs when a site lists it (the template may hold languages no site has).
EDITION_KEYS = ("prefix", "listing_path", "published", "read_at_source")


# Profiles compare by identity (eq=False): one per site per process, so the extractors' caches
# look one up by its id instead of hashing every field.
@dataclass(frozen=True, slots=True, eq=False)
class LanguageProfile:
    """What one language edition of a site writes around its articles."""

    code: str
    prefix: str  # "" for the default language, "/fr" for French...
    listing_path: str
    author_path: str  # "{prefix}/author/": an author's page, never an outlet's
    published: tuple[re.Pattern[str], ...]
    published_keywords: tuple[str, ...]  # literal openings of `published`, for a fast search
    read_at_source: tuple[str, ...]
    read_also: tuple[str, ...]
    boilerplate: tuple[str, ...]
    bylines: tuple[str, ...]


@dataclass(frozen=True, slots=True, eq=False)
class SiteProfile:
    """Everything newsagg knows about one aggregator site; built only by `load_profile`."""

    name: str
    base_url: str
    host: str
    aliases: tuple[str, ...]  # other base URLs of the same site, as declared
    country: str
    default_language: str
    languages: tuple[str, ...]
    site_names: tuple[str, ...]
    listing_paths: tuple[str, ...]
    article_path: re.Pattern[str]
    source_listing_path: str
    never_follow: tuple[re.Pattern[str], ...]
    reserved_slugs: frozenset[str]  # never an article's outlet: /page/2, /fr/123
    # Every first path segment that is never an outlet slug: reserved_slugs, categories,
    # site pages, language codes and prefixes.
    reserved_segments: frozenset[str]
    # Of those, the ones never requested at all, under any language prefix: the categories
    # (video among them) and the site's own pages (author, rss, the JSF servlet...).
    unvisited_segments: frozenset[str]
    news_agencies: frozenset[str]  # outlet slugs of news agencies
    title_selectors: tuple[str, ...]
    body_selectors: tuple[str, ...]
    next_page_selectors: tuple[str, ...]
    next_page_texts: tuple[str, ...]
    boilerplate_tokens: frozenset[str]
    body_end_tokens: frozenset[str]  # boilerplate that ends an article with no source link
    class_state_prefixes: tuple[str, ...]  # "has-": a class name that tells a state
    social_hosts: tuple[str, ...]
    language_profiles: tuple[LanguageProfile, ...]  # the site's own languages
    vocabulary: Vocabulary  # every language's words, read on every page
    punctuation: Punctuation
    dates: DateRules

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
    check(data, SCHEMA, filename)
    _check_languages(filename, data)
    codes = tuple(data["languages"])
    phrases = data.get("phrases", {})
    date_shapes = data["dates"]["shapes"]
    language_profiles = tuple(_build_language(code, phrases[code], date_shapes) for code in codes)
    vocabulary = build_vocabulary(phrases)
    return SiteProfile(
        name=data["name"],
        base_url=data["base_url"].rstrip("/"),
        host=urlsplit(data["base_url"]).hostname or "",
        aliases=tuple(url.rstrip("/") for url in data.get("aliases", [])),
        country=data.get("country", ""),
        default_language=data["default_language"],
        languages=codes,
        site_names=tuple(data["site_names"]),
        listing_paths=tuple(
            data.get("listing_paths") or [lang.listing_path for lang in language_profiles]
        ),
        article_path=re.compile(data["article_path"]),
        source_listing_path=data.get("source_listing_path", "{prefix}/{source}"),
        never_follow=tuple(re.compile(pattern) for pattern in data.get("never_follow", [])),
        reserved_slugs=frozenset(data.get("reserved_slugs", [])) | frozenset(codes),
        reserved_segments=_reserved_segments(data, language_profiles),
        unvisited_segments=frozenset(
            segment.lower() for key in ("categories", "site_pages") for segment in data.get(key, [])
        ),
        news_agencies=frozenset(data.get("news_agencies", [])),
        title_selectors=tuple(data.get("title_selectors", [])),
        body_selectors=tuple(data.get("body_selectors", [])),
        next_page_selectors=tuple(data.get("next_page_selectors", [])),
        next_page_texts=vocabulary.next_page,
        boilerplate_tokens=_lower_set(data.get("boilerplate_tokens", [])),
        body_end_tokens=_lower_set(data.get("body_end_tokens", [])),
        class_state_prefixes=tuple(data.get("class_state_prefixes", [])),
        social_hosts=tuple(data.get("social_hosts", [])),
        language_profiles=language_profiles,
        vocabulary=vocabulary,
        punctuation=Punctuation(**data["punctuation"]),
        dates=DateRules(
            numeric=re.compile(data["dates"]["numeric"]),
            day_month_year=re.compile(data["dates"]["day_month_year"]),
            months=build_months(filename, phrases),
        ),
    )


def _reserved_segments(
    data: dict[str, Any], languages: tuple[LanguageProfile, ...]
) -> frozenset[str]:
    keys = ("reserved_slugs", "categories", "site_pages")
    listed = {segment for key in keys for segment in data.get(key, [])}
    prefixes = {lang.prefix.strip("/") for lang in languages if lang.prefix}
    return frozenset(listed | prefixes | {lang.code for lang in languages})


def _lower_set(tokens: list[str]) -> frozenset[str]:
    return frozenset(token.lower() for token in tokens)


def _check_languages(filename: str, data: dict[str, Any]) -> None:
    """What the schema cannot say: the default language is one of the site's, and each of the
    site's languages has its wordings in the template or the site file."""
    if data["default_language"] not in data["languages"]:
        message = f"{data['default_language']!r} is not in languages"
        raise ProfileError(f"{filename}: default_language: {message}")
    phrases = data.get("phrases", {})
    for code in data["languages"]:
        if code not in phrases:
            message = "no phrases for this language in the template"
            raise ProfileError(f"{filename}: phrases.{code}: {message}")
        for key in EDITION_KEYS:
            if key not in phrases[code]:
                raise ProfileError(f"{filename}: phrases.{code}.{key}: missing")


def _build_language(code: str, table: dict[str, Any], date_shapes: str) -> LanguageProfile:
    sources = table["published"]
    prefix = table["prefix"].rstrip("/")
    return LanguageProfile(
        code=code,
        prefix=prefix,
        listing_path=table["listing_path"],
        author_path=f"{prefix}/author/",
        published=tuple(re.compile(source.replace("{date}", date_shapes)) for source in sources),
        # The literal text before the first regex token: what an XPath `contains()` can look for.
        published_keywords=tuple(
            re.split(r"\\s|[\\(\[.?*+]", source, maxsplit=1)[0] for source in sources
        ),
        read_at_source=tuple(table["read_at_source"]),
        read_also=tuple(table.get("read_also", [])),
        boilerplate=tuple(table.get("boilerplate", [])),
        bylines=tuple(table.get("bylines", [])),
    )
