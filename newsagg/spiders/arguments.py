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
from newsagg.sites.profiles import SiteProfile, known_sites, load_profile

KNOWN_ARGUMENTS = ("site", "lang", "sources", "start_urls", "max_pages", "since", "replay", "full")
BOOLEANS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}
# A package resource: inside a zipped egg (scrapyd) it is no file, but it still opens.
SAMPLE_ARCHIVE = resources.files("newsagg.sample") / "ress-sample.warc.gz"


@dataclass(frozen=True, slots=True)
class CrawlArguments:
    profile: SiteProfile
    languages: tuple[str, ...]
    sources: tuple[str, ...]  # empty = every outlet
    start_urls: tuple[str, ...]  # empty = the profile's listing pages
    max_pages: int  # 0 = no limit
    since: date | None
    replay: Traversable | None
    full: bool  # re-request articles the state already holds (backfill)


def parse_arguments(raw: dict[str, Any], *, default_max_pages: int = 0) -> CrawlArguments:
    """Check every argument; the first problem raises `ArgumentError` with a one-line message
    naming the argument, what it got and what it accepts."""
    unknown = sorted(set(raw) - set(KNOWN_ARGUMENTS) - {"_job"})
    if unknown:
        raise ArgumentError(
            f"unknown argument(s) {', '.join(unknown)}; accepted: {', '.join(KNOWN_ARGUMENTS)}"
        )
    site = str(raw.get("site") or "").strip()
    if not site:
        raise ArgumentError(
            f"site: required (-a site=NAME); known sites: {', '.join(known_sites())}"
        )
    try:
        profile = load_profile(site)
    except ProfileError as exc:
        raise ArgumentError(f"site: {exc}") from exc

    languages = _csv(raw.get("lang")) or profile.languages
    bad = [code for code in languages if code not in profile.languages]
    if bad:
        raise ArgumentError(
            f"lang: {site} has no {', '.join(bad)} edition; it has {', '.join(profile.languages)}"
        )

    sources = _csv(raw.get("sources"))
    bad = [slug for slug in sources if not re.fullmatch(r"[A-Za-z0-9_.-]+", slug)]
    if bad:
        raise ArgumentError(f"sources: not outlet slugs: {', '.join(bad)} (e.g. lopinion,lematin)")

    start_urls = _csv(raw.get("start_urls"))
    for url in start_urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ArgumentError(f"start_urls: not an http(s) URL: {url!r}")

    max_pages = default_max_pages
    if raw.get("max_pages") not in (None, ""):
        try:
            max_pages = int(raw["max_pages"])
        except ValueError:
            max_pages = -1
        if max_pages < 1:
            raise ArgumentError(
                f"max_pages: expected a whole number >= 1, got {raw['max_pages']!r}"
            )

    since = None
    if raw.get("since") not in (None, ""):
        try:
            since = date.fromisoformat(str(raw["since"]))
        except ValueError:
            raise ArgumentError(f"since: expected YYYY-MM-DD, got {raw['since']!r}") from None

    replay: Traversable | None = None
    if raw.get("replay") not in (None, ""):
        replay = SAMPLE_ARCHIVE if raw["replay"] == "sample" else Path(str(raw["replay"]))
        if not replay.is_file():
            raise ArgumentError(f"replay: no such archive file: {str(replay)!r}")

    full = False
    if raw.get("full") not in (None, ""):
        value = str(raw["full"]).strip().lower()
        if value not in BOOLEANS:
            raise ArgumentError(f"full: expected 1 or 0 (true/false, yes/no), got {raw['full']!r}")
        full = BOOLEANS[value]

    return CrawlArguments(
        profile=profile,
        languages=languages,
        sources=sources,
        start_urls=start_urls,
        max_pages=max_pages,
        since=since,
        replay=replay,
        full=full,
    )


def _csv(value: Any) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    if isinstance(value, list | tuple):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return tuple(dict.fromkeys(part.strip() for part in str(value).split(",") if part.strip()))
