"""One article page -> every field the page itself can tell: the extraction recipe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from parsel import Selector

from newsagg.extract.body import extract_body
from newsagg.extract.boilerplate import element_checker, end_checker
from newsagg.extract.dates import DateMethod, parse_date
from newsagg.extract.jsonld import extract_jsonld_article
from newsagg.extract.published import PublishedLine, find_published_line
from newsagg.extract.source_link import find_source_link
from newsagg.extract.title import extract_title, meta_title
from newsagg.extract.url import absolute_url, parse_article_url
from newsagg.sites.profiles import SiteProfile


@dataclass(frozen=True, slots=True)
class Extraction:
    """What was found on the page; None/empty where nothing reliable was."""

    title: str | None
    published_line: PublishedLine | None
    published: date | None
    date_method: DateMethod | None
    source_url: str | None
    paragraphs: tuple[str, ...]
    body_method: str | None


def extract_article(
    page: Selector,
    profile: SiteProfile,
    *,
    url: str,
    base_url: str | None = None,
) -> Extraction:
    """Anchor on what stays put across templates: the published line, the read-at-source
    link, JSON-LD/og:/<title>, the heading before the published line. `url` is the page's
    own; `base_url` resolves relative links (the page's <base href> if it has one)."""
    root = page.root
    is_boilerplate = element_checker(profile)
    jsonld = extract_jsonld_article(root)
    meta = meta_title(page, profile)
    ref = parse_article_url(url, profile)
    published = find_published_line(
        root,
        profile,
        end_checker(profile),
        urlsplit(url).path,
        meta,
        language=ref.language if ref is not None else None,
    )
    published_element = published.element if published else None
    source = find_source_link(root, profile, after=published_element)
    title = extract_title(page, profile, jsonld, published_element, meta)
    paragraphs, body_method = extract_body(
        page,
        profile,
        is_boilerplate,
        title=title,
        published_element=published_element,
        source_element=source.element if source else None,
        jsonld_body=jsonld.get("articleBody")
        if isinstance(jsonld.get("articleBody"), str)
        else None,
        page_host=urlsplit(url).hostname or "",
    )
    day, method = (None, None)
    if published is not None:
        languages = (published.line.language, *profile.languages)
        day, method = parse_date(
            published.line.date_raw, profile.dates, tuple(dict.fromkeys(languages))
        )
    return Extraction(
        title=title,
        published_line=published.line if published else None,
        published=day,
        date_method=method,
        source_url=absolute_url(base_url or url, source.href) if source else None,
        paragraphs=tuple(paragraphs),
        body_method=body_method,
    )
