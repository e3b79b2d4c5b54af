"""One article page -> every field the page itself can tell: the extraction recipe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from parsel import Selector

from newsagg.extract.author import extract_author
from newsagg.extract.body import extract_body
from newsagg.extract.body_page import Anchors, BodyPage
from newsagg.extract.boilerplate import element_checker, end_checker
from newsagg.extract.dates import DateMethod, parse_date
from newsagg.extract.jsonld import extract_jsonld_article
from newsagg.extract.published import PublishedAnchor, PublishedLine, find_published_line
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
    author: str | None = None  # the page's own author link, if it has one


def extract_article(
    page: Selector, profile: SiteProfile, *, url: str, base_url: str | None = None
) -> Extraction:
    """Anchor on what stays put across templates: the published line, the read-at-source
    link, JSON-LD/og:/<title>, the heading before the published line. `url` is the page's
    own; `base_url` resolves relative links (the page's <base href> if it has one)."""
    root = page.root
    ends_article = end_checker(profile)
    jsonld = extract_jsonld_article(root)
    meta = meta_title(page, profile)
    ref = parse_article_url(url, profile)
    published = find_published_line(
        root,
        profile,
        ends_article,
        urlsplit(url).path,
        meta,
        language=ref.language if ref is not None else None,
    )
    published_element = published.element if published else None
    source = find_source_link(root, profile, after=published_element)
    title = extract_title(page, profile, jsonld, published_element, meta)
    anchors = Anchors(
        published=published,
        source=source.element if source else None,
        title=title,
        jsonld_body=text if isinstance(text := jsonld.get("articleBody"), str) else None,
        page_host=urlsplit(url).hostname or "",
    )
    body = extract_body(BodyPage(page, profile, anchors, element_checker(profile), ends_article))
    day, method = _published_day(published, profile)
    return Extraction(
        title=title,
        published_line=published.line if published else None,
        published=day,
        date_method=method,
        source_url=absolute_url(base_url or url, source.href) if source else None,
        paragraphs=tuple(body.paragraphs) if body else (),
        body_method=body.method if body else None,
        author=extract_author(
            root, profile, url=url, published=published_element, ends_article=ends_article
        ),
    )


def _published_day(
    published: PublishedAnchor | None, profile: SiteProfile
) -> tuple[date | None, DateMethod | None]:
    """The line's date, read in its own language first, then in the site's others."""
    if published is None:
        return None, None
    languages = tuple(dict.fromkeys((published.line.language, *profile.languages)))
    return parse_date(published.line.date_raw, profile.dates, languages)
