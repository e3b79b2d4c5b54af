"""The author an article page names: the display text of its link to an author page
(`/author/…`, `{prefix}/author/…`).

An article page carries other authors too: in its ticker, related lists and teaser cards of
other articles. Climbing from the link, the first container that holds the published line
makes it the article's; one that ends an article (related, sidebar, ticker…) or links another
article first makes it someone else's. Of the article's, the nearest to the line wins."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

from lxml import etree

from newsagg.extract.text import clean_text, string_value
from newsagg.extract.url import parse_article_url
from newsagg.sites.profiles import SiteProfile

_AUTHOR_LINKS = etree.XPath("//a[contains(@href, '/author/')]")
_ARTICLE_HREFS = etree.XPath(".//a/@href", smart_strings=False)
_CONTAINER_DEPTH = 4


def extract_author(
    root: etree._Element,
    profile: SiteProfile,
    *,
    url: str,
    published: etree._Element | None,
    ends_article: Callable[[etree._Element], bool],
) -> str | None:
    """The page's own author, cleaned; None if it names none."""
    paths = tuple(lang.author_path for lang in profile.language_profiles)
    names = []
    for link in _AUTHOR_LINKS(root):
        path = urlsplit(urljoin(url, link.get("href", ""))).path
        name = clean_text(string_value(link))
        if name and path.startswith(paths) and _own(link, profile, url, published, ends_article):
            names.append((link, name))
    if len(names) <= 1 or published is None:
        return names[0][1] if names else None
    order = {element: index for index, element in enumerate(root.iter())}
    anchor = order.get(published, 0)
    return min(names, key=lambda pair: abs(order.get(pair[0], 0) - anchor))[1]


def _own(
    link: etree._Element,
    profile: SiteProfile,
    url: str,
    published: etree._Element | None,
    ends_article: Callable[[etree._Element], bool],
) -> bool:
    """Whether an author link is the article's: the nearest container around it that holds
    the published line, or links another article (a teaser), or ends an article, says."""
    around = set(published.iterancestors()) | {published} if published is not None else set()
    own_path = urlsplit(url).path.rstrip("/")
    element = link.getparent()
    for _ in range(_CONTAINER_DEPTH):
        if element is None or element.tag in ("body", "html") or element in around:
            return True
        if ends_article(element):
            return False
        for href in _ARTICLE_HREFS(element):
            ref = parse_article_url(urljoin(url, href), profile)
            if ref is not None and urlsplit(ref.url).path != own_path:
                return False  # a teaser of another article
        element = element.getparent()
    return True
