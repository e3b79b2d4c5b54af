"""`-a name=value` spider arguments: parsed and checked before anything is requested."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newsagg.errors import ArgumentError, ProfileError
from newsagg.extract.url import canonical_url, parse_outlet_listing
from newsagg.sites.profiles import SiteProfile, known_sites, load_profile

KNOWN_ARGUMENTS = (
    "site",
    "lang",
    "sources",
    "base_url",
    "start_urls",
    "max_pages",
    "since",
    "replay",
    "full",
)
FRONT, OUTLET, START = "front", "outlet", "start"  # listing kinds
BOOLEANS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}
# A package resource: inside a zipped egg (scrapyd) it is no file, but it still opens.
SAMPLE_ARCHIVE = resources.files("newsagg.sample") / "ress-sample.warc.gz"


@dataclass(frozen=True, slots=True)
class CrawlArguments:
    profile: SiteProfile
    languages: tuple[str, ...]
    sources: tuple[str, ...]  # empty = every outlet
    base_url: str | None  # the site at another address (a mirror); None = the profile's
    start_urls: tuple[str, ...]  # empty = the profile's listing pages
    max_pages: int  # 0 = no limit
    since: date | None
    replay: Traversable | None
    full: bool  # re-request articles the state already holds (backfill)

    def as_dict(self) -> dict[str, Any]:
        """As the manifest records them."""
        return {
            "site": self.profile.name,
            "lang": list(self.languages),
            "sources": list(self.sources),
            "base_url": self.base_url,
            "start_urls": list(self.start_urls),
            "max_pages": self.max_pages,
            "since": self.since.isoformat() if self.since else None,
            "replay": str(self.replay) if self.replay else None,
            "full": self.full,
        }


def parse_arguments(raw: dict[str, Any], *, default_max_pages: int = 0) -> CrawlArguments:
    """Check every argument; the first problem raises `ArgumentError` with a one-line message
    naming the argument, what it got and what it accepts."""
    unknown = sorted(set(raw) - set(KNOWN_ARGUMENTS) - {"_job"})
    if unknown:
        raise ArgumentError(
            f"unknown argument(s) {', '.join(unknown)}; accepted: {', '.join(KNOWN_ARGUMENTS)}"
        )
    profile = _profile(raw.get("site"))
    return CrawlArguments(
        profile=profile,
        languages=_languages(raw.get("lang"), profile),
        sources=_sources(raw.get("sources")),
        base_url=_base_url(raw.get("base_url")),
        start_urls=_start_urls(raw.get("start_urls")),
        max_pages=_max_pages(raw.get("max_pages"), default_max_pages),
        since=_since(raw.get("since")),
        replay=_replay(raw.get("replay")),
        full=_full(raw.get("full")),
    )


def canonical_base(arguments: CrawlArguments) -> str:
    """The scheme and host every URL of the crawl is written with: `base_url`, else the first
    start URL's, else the profile's."""
    if arguments.base_url:
        return arguments.base_url
    if arguments.start_urls:
        parts = urlsplit(arguments.start_urls[0])
        return f"{parts.scheme}://{parts.netloc}"
    return arguments.profile.base_url


def start_listings(arguments: CrawlArguments) -> tuple[tuple[str, str], ...]:
    """(canonical URL, kind) of every listing the crawl starts from: `start_urls` (kind
    `start`), else each chosen outlet's listing in each chosen language (`outlet`), else each
    language's front page (`front`), from which the outlets are discovered."""
    profile = arguments.profile
    base = canonical_base(arguments)
    if arguments.start_urls:
        pairs = [(url, start_kind(url, profile)) for url in arguments.start_urls]
    else:
        languages = [profile.language(code) for code in arguments.languages]
        if arguments.sources:
            pairs = [
                (
                    base + profile.source_listing_path.format(prefix=lang.prefix, source=source),
                    OUTLET,
                )
                for lang in languages
                for source in arguments.sources
            ]
        else:
            pairs = [(base + lang.listing_path, FRONT) for lang in languages]
    return tuple(dict.fromkeys((canonical_url(url), kind) for url, kind in pairs))


def start_kind(url: str, profile: SiteProfile) -> str:
    """A start URL that is a language's front page is crawled as one (its outlets are
    discovered), an outlet's listing as one; any other is a plain `start` listing."""
    if front_language(url, profile) is not None:
        return FRONT
    return OUTLET if parse_outlet_listing(url, profile) is not None else START


def front_language(url: str, profile: SiteProfile) -> str | None:
    """The language whose front page `url` is, if it is one."""
    path = urlsplit(url).path.rstrip("/") or "/"
    for lang in profile.language_profiles:
        if path == (lang.listing_path.rstrip("/") or "/"):
            return lang.code
    return None


def _profile(value: Any) -> SiteProfile:
    site = str(value or "").strip()
    if not site:
        raise ArgumentError(
            f"site: required (-a site=NAME); known sites: {', '.join(known_sites())}"
        )
    try:
        return load_profile(site)
    except ProfileError as exc:
        raise ArgumentError(f"site: {exc}") from exc


def _languages(value: Any, profile: SiteProfile) -> tuple[str, ...]:
    languages = _csv(value) or profile.languages
    bad = [code for code in languages if code not in profile.languages]
    if bad:
        raise ArgumentError(
            f"lang: {profile.name} has no {', '.join(bad)} edition;"
            f" it has {', '.join(profile.languages)}"
        )
    return languages


def _sources(value: Any) -> tuple[str, ...]:
    sources = _csv(value)
    bad = [slug for slug in sources if not re.fullmatch(r"[A-Za-z0-9_.-]+", slug)]
    if bad:
        raise ArgumentError(f"sources: not outlet slugs: {', '.join(bad)} (e.g. lopinion,lematin)")
    return sources


def _base_url(value: Any) -> str | None:
    if value in (None, ""):
        return None
    text = str(value).strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path:
        raise ArgumentError(f"base_url: expected http(s)://host[:port], got {value!r}")
    return text


def _start_urls(value: Any) -> tuple[str, ...]:
    start_urls = _csv(value)
    for url in start_urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ArgumentError(f"start_urls: not an http(s) URL: {url!r}")
    return start_urls


def _max_pages(value: Any, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        max_pages = int(value)
    except ValueError:
        max_pages = -1
    if max_pages < 1:
        raise ArgumentError(f"max_pages: expected a whole number >= 1, got {value!r}")
    return max_pages


def _since(value: Any) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ArgumentError(f"since: expected YYYY-MM-DD, got {value!r}") from None


def _replay(value: Any) -> Traversable | None:
    if value in (None, ""):
        return None
    replay = SAMPLE_ARCHIVE if value == "sample" else Path(str(value))
    if not replay.is_file():
        raise ArgumentError(f"replay: no such archive file: {str(replay)!r}")
    return replay


def _full(value: Any) -> bool:
    if value in (None, ""):
        return False
    text = str(value).strip().lower()
    if text not in BOOLEANS:
        raise ArgumentError(f"full: expected 1 or 0 (true/false, yes/no), got {value!r}")
    return BOOLEANS[text]


def _csv(value: Any) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    if isinstance(value, list | tuple):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return tuple(dict.fromkeys(part.strip() for part in str(value).split(",") if part.strip()))
