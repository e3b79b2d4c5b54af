"""An article page's response -> its extraction, or why it gives none: the crawl's article
callback and re-extraction (newsagg.reextract) share these steps, so both decide alike."""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Any

from parsel import Selector
from scrapy.http import Response, TextResponse

from newsagg.extract.article import Extraction, extract_article
from newsagg.extract.url import ArticleRef, canonical_url, parse_article_url
from newsagg.sites.profiles import SiteProfile
from newsagg.spiders.hosts import SiteHosts


@dataclass(frozen=True, slots=True)
class Rejection:
    """A page that gives no article: the rejects file's row, and for an extractor's bug the
    traceback to log."""

    url: str
    reason: str
    message: str
    found: dict[str, Any] = field(default_factory=dict)
    traceback: str | None = None


def own_article_ref(
    response: Response, profile: SiteProfile, hosts: SiteHosts
) -> ArticleRef | Rejection:
    """The article the response is, by its final URL on the site's canonical host."""
    own = hosts.canonical(canonical_url(response.url))
    ref = parse_article_url(own, profile) if own is not None else None
    if ref is None:
        requested = response.request.url if response.request is not None else None
        return Rejection(
            response.url,
            "not_an_article",
            "redirected to a non-article URL",
            {"requested": requested},
        )
    if not isinstance(response, TextResponse):
        return Rejection(ref.url, "not_html", "article page is not HTML")
    return ref


def extract_page(
    page: Selector, ref: ArticleRef, profile: SiteProfile, base_url: str
) -> Extraction | Rejection:
    """The page's fields; an exception in an extractor is a reject carrying its traceback,
    so the page is not lost without trace."""
    try:
        return extract_article(page, profile, url=ref.url, base_url=base_url)
    except Exception as exc:
        return Rejection(
            ref.url, "extract_error", f"{type(exc).__name__}: {exc}", {}, traceback.format_exc()
        )
