"""What a listing page links to, as this crawl judges it: the articles it follows, the outlet
listings it may discover, the next page, and the author each article's teaser names.

Only links on the site's hosts count, rewritten to the canonical host; reserved paths
(categories, video, author pages, the JSF servlet) are never followed. Listing pages repeat
most of their links (ticker, menus, footer) from page to page, so each distinct URL and link
text is judged once per crawl."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlElement
from parsel import Selector

from newsagg.extract.text import clean_text, fold_for_match, string_value
from newsagg.extract.url import (
    ArticleRef,
    absolute_url,
    canonical_url,
    is_never_follow,
    parse_article_url,
    parse_outlet_listing,
)
from newsagg.sites.profiles import SiteProfile
from newsagg.spiders.arguments import CrawlArguments
from newsagg.spiders.hosts import SiteHosts
from newsagg.spiders.pagination import choose_next_page

# The whole document's links ("//": lxml keeps markup after </html> outside the root element),
# and those under one element (a teaser).
_PAGE_LINKS = etree.XPath("//a[@href] | //link[@href]")
_LINKS_UNDER = etree.XPath(".//a[@href]")
_TEASER_DEPTH = 4  # ancestors climbed from an author link to the teaser that holds it


@dataclass(frozen=True, slots=True)
class OutletLink:
    url: str
    language: str


@dataclass(slots=True)
class ListingLinks:
    articles: list[ArticleRef] = field(default_factory=list)  # each once, canonical
    outlets: list[OutletLink] = field(default_factory=list)  # outlet listings' first pages
    next_url: str | None = None
    teaser_authors: dict[str, str] = field(default_factory=dict)  # article URL -> author


class LinkJudge:
    def __init__(self, profile: SiteProfile, arguments: CrawlArguments, hosts: SiteHosts) -> None:
        self.profile = profile
        self.arguments = arguments
        self.hosts = hosts
        self.next_texts = {fold_for_match(text) or text for text in profile.next_page_texts}
        self.author_paths = tuple(lang.author_path for lang in profile.language_profiles)
        self.site_url = lru_cache(maxsize=8192)(self._site_url)
        self.article = lru_cache(maxsize=8192)(self._article)
        self.outlet = lru_cache(maxsize=2048)(self._outlet)
        self.says_next = lru_cache(maxsize=2048)(self._says_next)

    def read(self, page: Selector, base: str, here: str, number: int) -> ListingLinks:
        """Every link of a listing page (`here`, the `number`-th of its listing), judged."""
        found = ListingLinks()
        seen: set[str] = set()
        candidates = [  # the profile's next-page selectors first, in their order
            url
            for selector in self.profile.next_page_selectors
            for href in page.css(selector).getall()
            if (url := self.site_url(base, href)) is not None
        ]
        others: list[str] = []
        for element, url in self._links(_PAGE_LINKS(page.root), base):
            if element.tag == "link":
                continue
            ref = self.article(url)
            if ref is not None:
                if ref.url not in seen:
                    seen.add(ref.url)
                    found.articles.append(ref)
                continue
            if self.says_next(string_value(element)):
                candidates.append(url)
            elif self._is_author(url):
                self._teaser_author(element, base, found.teaser_authors)
            elif (language := self.outlet(url)) is not None:
                found.outlets.append(OutletLink(url, language))
            else:
                others.append(url)
        found.next_url = self._next_page(here, number, candidates, others)
        return found

    def _links(self, elements: list[HtmlElement], base: str) -> Iterator[tuple[HtmlElement, str]]:
        for element in elements:
            url = self.site_url(base, element.get("href"))
            if url is not None:
                yield element, url

    def _site_url(self, base: str, href: str | None) -> str | None:
        """An href as a canonical URL on the canonical host; None off the site."""
        url = absolute_url(base, href)
        if url is None:
            return None
        own = self.hosts.canonical(url)
        return canonical_url(own) if own is not None else None

    def _article(self, url: str) -> ArticleRef | None:
        """The article a URL points to, if this crawl follows it."""
        if is_never_follow(url, self.profile):
            return None
        ref = parse_article_url(url, self.profile)
        if ref is None or ref.language not in self.arguments.languages:
            return None
        if self.arguments.sources and ref.source_slug not in self.arguments.sources:
            return None
        return ref

    def _outlet(self, url: str) -> str | None:
        """The language of an outlet listing of a chosen language (and outlet, with
        `sources`); None for any other URL."""
        outlet = parse_outlet_listing(url, self.profile)
        if outlet is None or outlet.language not in self.arguments.languages:
            return None
        if is_never_follow(url, self.profile):
            return None
        if self.arguments.sources and outlet.slug not in self.arguments.sources:
            return None
        return outlet.language

    def _is_author(self, url: str) -> bool:
        return urlsplit(url).path.startswith(self.author_paths)

    def _teaser_author(self, link: HtmlElement, base: str, authors: dict[str, str]) -> None:
        """The article of the teaser an author link sits in: the nearest ancestor that links
        exactly one article."""
        name = clean_text(string_value(link))
        if not name:
            return
        element = link.getparent()
        for _ in range(_TEASER_DEPTH):
            if element is None:
                return
            urls = {
                ref.url
                for _, url in self._links(_LINKS_UNDER(element), base)
                if (ref := self.article(url)) is not None
            }
            if len(urls) == 1:
                authors.setdefault(urls.pop(), name)
                return
            if urls:  # a list of several articles: not one teaser
                return
            element = element.getparent()

    def _next_page(
        self, here: str, page: int, candidates: list[str], others: list[str]
    ) -> str | None:
        usable = [url for url in candidates if self._listing_page(url)]
        pager = (url for url in others if self._listing_page(url))
        return choose_next_page(here, page, usable, pager)

    def _listing_page(self, url: str) -> bool:
        return parse_article_url(url, self.profile) is None and not is_never_follow(
            url, self.profile
        )

    def _says_next(self, raw: str) -> bool:
        text = clean_text(raw)
        return bool(text) and (fold_for_match(text) in self.next_texts or text in self.next_texts)
