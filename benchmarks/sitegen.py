"""A deterministic, on-demand generator of a local *ress-style news-aggregator site.

:class:`GeneratedSite` renders every page from ``random.Random`` instances seeded with
``mix(seed, stream, article_id)``; nothing but small LRU caches is kept in memory, so a site
of any size costs the same. The same seed gives byte-identical pages, and an article page
depends only on ``(seed, id, languages, near_duplicate_every)``: constructing the site with a
larger ``n_articles`` keeps existing articles byte-identical while new ones appear at the top
of the listings (whose pages, like their tickers, do change).

Example::

    site = GeneratedSite(seed=7, n_articles=20_000)
    status, headers, body = site.page(site.article_path(123))
    assert site.expected(123)["title"] in body.decode()
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from html import escape
from typing import Any

from benchmarks import htmlparts as hp
from benchmarks.corpus import OUTLETS, SUPPORTED_LANGUAGES, UI, Outlet
from benchmarks.textgen import (
    STREAM_BODY,
    STREAM_EDIT,
    STREAM_META,
    STREAM_PAGE,
    STREAM_TITLE,
    Body,
    ascii_slug,
    edit_body,
    format_date,
    make_body,
    make_title,
    rng_for,
)
from benchmarks.urls import (
    ID_OFFSET,
    article_path,
    listing_page_path,
    listing_root,
    parse_path,
)

ARTICLES_PER_DAY = 20
#: Article id ``REFERENCE_ARTICLE`` is published on ``REFERENCE_DATE``; dates never depend on
#: ``n_articles`` (so growing the site keeps old pages identical).
REFERENCE_ARTICLE = 20_000
REFERENCE_DATE = date(2026, 11, 20)
_BASE_ORDINAL = REFERENCE_DATE.toordinal() - (REFERENCE_ARTICLE - 1) // ARTICLES_PER_DAY

ALT_DATE_RATE = 0.05
TICKER_RANGE = (40, 80)
LISTING_TICKER = 60
RELATED_RANGE = (10, 20)
RELATED_WINDOW = 2_000  # how far back (in same-language articles) related links reach
MOST_READ = 8
DUPLICATE_WINDOW = 500  # how far back (in same-language articles) a syndicated copy's source is
PAGE_SIZE_RANGE = (64_000, 118_000)  # target article page size in bytes (before padding)

HTML_HEADERS = {"Content-Type": "text/html; charset=utf-8"}
TEXT_HEADERS = {"Content-Type": "text/plain; charset=utf-8"}
ROBOTS_TXT = b"User-agent: *\nAllow: /\n"

_CUM_WEIGHTS = {
    lang: list(itertools.accumulate(o.weight for o in outlets)) for lang, outlets in OUTLETS.items()
}
_AD_IN_ARTICLE = (
    '<div class="ad-inarticle"><ins class="adsbygoogle" style="display:block" '
    'data-ad-client="ca-pub-0000000000000000" data-ad-slot="7391046205" '
    'data-ad-format="fluid"></ins><script>(adsbygoogle=window.adsbygoogle||[]).push({});'
    "</script></div>\n"
)
_SOURCE_SECTIONS = {
    "fr": ("actualite", "economie", "societe", "politique", "regions", "sport", "culture"),
    "es": ("internacional", "economia", "sociedad", "politica", "deportes", "cultura"),
}

Page = tuple[int, dict[str, str], bytes]


@dataclass(frozen=True, slots=True)
class ArticleMeta:
    """Everything about an article except its body (cheap, cached)."""

    id: int
    lang: str
    outlet: Outlet
    day: date
    alt_date: bool
    title: str
    source_id: int | None  # set for syndicated near-copies

    @property
    def num(self) -> int:
        """The public numeric id used in URLs."""
        return ID_OFFSET + self.id

    @property
    def date_text(self) -> str:
        """The date as printed on the page."""
        return format_date(self.day, self.lang, self.alt_date)


class GeneratedSite:
    """A lazily generated aggregator site (see the module docstring)."""

    def __init__(
        self,
        seed: int,
        n_articles: int,
        languages: tuple[str, ...] = ("ar", "fr", "es"),
        per_page: int = 40,
        near_duplicate_every: int = 0,
    ) -> None:
        languages = tuple(languages)
        unknown = set(languages) - set(SUPPORTED_LANGUAGES)
        if not languages or unknown or len(set(languages)) != len(languages):
            raise ValueError(f"languages must be distinct values of {SUPPORTED_LANGUAGES}")
        if n_articles < 0 or per_page < 1:
            raise ValueError("n_articles must be >= 0 and per_page >= 1")
        if near_duplicate_every < 0 or near_duplicate_every == 1:
            raise ValueError("near_duplicate_every must be 0 (off) or >= 2")
        self.seed = seed
        self.n_articles = n_articles
        self.languages = languages
        self.per_page = per_page
        self.near_duplicate_every = near_duplicate_every
        self.meta = lru_cache(maxsize=16_384)(self._compute_meta)
        self._body = lru_cache(maxsize=256)(self._compute_body)

    # ------------------------------------------------------------------ articles

    def article_ids(self) -> range:
        """All article ids, oldest (1) to newest (``n_articles``)."""
        return range(1, self.n_articles + 1)

    def _check(self, article_id: int) -> None:
        if not 1 <= article_id <= self.n_articles:
            raise ValueError(f"no article {article_id} (site has {self.n_articles})")

    def language(self, article_id: int) -> str:
        """Language of an article (round robin over ``languages``)."""
        return self.languages[(article_id - 1) % len(self.languages)]

    def _position(self, article_id: int) -> int:
        """1-based position of the article within its language's stream."""
        return (article_id - 1) // len(self.languages) + 1

    def _older(self, article_id: int, steps: int) -> int:
        """The same-language article ``steps`` positions older."""
        return article_id - steps * len(self.languages)

    def _compute_meta(self, article_id: int) -> ArticleMeta:
        lang = self.language(article_id)
        rng = rng_for(self.seed, STREAM_META, article_id)
        alt_date = rng.random() < ALT_DATE_RATE
        day = date.fromordinal(_BASE_ORDINAL + (article_id - 1) // ARTICLES_PER_DAY)
        source_id = None
        k = self.near_duplicate_every
        position = self._position(article_id)
        if k and position % k == 0:
            steps = rng.randint(1, min(DUPLICATE_WINDOW, position - 1))
            if steps % k == 0:  # land on an original (positions that are multiples of k are copies)
                steps -= 1
            source_id = self._older(article_id, steps)
        outlets = OUTLETS[lang]
        outlet = rng.choices(outlets, cum_weights=_CUM_WEIGHTS[lang])[0]
        if source_id is not None:
            source = self.meta(source_id)
            while outlet == source.outlet:
                outlet = rng.choices(outlets, cum_weights=_CUM_WEIGHTS[lang])[0]
            title = source.title
        else:
            title = make_title(rng_for(self.seed, STREAM_TITLE, article_id), lang)
        return ArticleMeta(article_id, lang, outlet, day, alt_date, title, source_id)

    def _compute_body(self, article_id: int) -> Body:
        meta = self.meta(article_id)
        if meta.source_id is None:
            return make_body(rng_for(self.seed, STREAM_BODY, article_id), meta.lang)
        return edit_body(
            self._body(meta.source_id),
            rng_for(self.seed, STREAM_EDIT, article_id),
            meta.lang,
        )

    def duplicate_source(self, article_id: int) -> int | None:
        """Id of the original a syndicated near-copy was made from (``None`` for originals)."""
        self._check(article_id)
        return self.meta(article_id).source_id

    def article_path(self, article_id: int) -> str:
        """URL path of an article."""
        self._check(article_id)
        meta = self.meta(article_id)
        return article_path(meta.lang, meta.outlet.slug, meta.num)

    def source_url(self, article_id: int) -> str:
        """The outlet URL behind the "read the article at its source" link."""
        meta = self.meta(article_id)
        rng = rng_for(self.seed, STREAM_PAGE, article_id, 1)
        ref = rng.randint(100_000, 999_999)
        domain = meta.outlet.domain
        if meta.lang == "ar":
            return f"https://{domain}/{ref}.html"
        section = rng.choice(_SOURCE_SECTIONS[meta.lang])
        return f"https://{domain}/{section}/{ascii_slug(meta.title)}-{ref}.html"

    def expected(self, article_id: int) -> dict[str, Any]:
        """What a correct extractor should produce for an article.

        ``body`` joins every block of the article container (paragraphs *and* subheadings, in
        order) with blank lines; ``paragraphs``/``subheadings`` give them separately.
        """
        self._check(article_id)
        meta = self.meta(article_id)
        body = self._body(article_id)
        return {
            "id": article_id,
            "num": meta.num,
            "url": self.article_path(article_id),
            "title": meta.title,
            "source": meta.outlet.name,
            "source_slug": meta.outlet.slug,
            "source_url": self.source_url(article_id),
            "published": meta.day.isoformat(),
            "published_text": meta.date_text,
            "language": meta.lang,
            "body": "\n\n".join(body.texts()),
            "paragraphs": [" ".join("".join(s) for s in p) for p in body.paragraphs()],
            "subheadings": [parts[0] for kind, parts in body.blocks if kind == "h"],
            "duplicate_of": meta.source_id,
        }

    # ------------------------------------------------------------------ listings

    def listing_paths(self) -> list[str]:
        """First listing page of every language, in ``languages`` order."""
        return [listing_root(lang) for lang in self.languages]

    def listing_count(self, lang: str) -> int:
        """Number of articles in a language."""
        index = self.languages.index(lang)
        return max(0, (self.n_articles - index + len(self.languages) - 1) // len(self.languages))

    def listing_page_count(self, lang: str) -> int:
        """Number of listing pages of a language (at least 1, possibly empty)."""
        return max(1, -(-self.listing_count(lang) // self.per_page))

    def listing_page_path(self, lang: str, page: int) -> str:
        """Path of a listing page (1-based)."""
        return listing_page_path(lang, page)

    def listing_ids(self, lang: str, page: int) -> list[int]:
        """Article ids shown on a listing page, newest first."""
        count = self.listing_count(lang)
        if count == 0:
            return []
        newest = self.languages.index(lang) + 1 + (count - 1) * len(self.languages)
        first = (page - 1) * self.per_page
        last = min(first + self.per_page, count)
        return [self._older(newest, j) for j in range(first, last)]

    # ------------------------------------------------------------------ serving

    def page(self, path: str) -> Page:
        """Render ``path`` (may include a query string) as ``(status, headers, body)``."""
        route = parse_path(path, self.languages)
        if route.kind == "article":
            article_id = route.num - ID_OFFSET
            if 1 <= article_id <= self.n_articles:
                meta = self.meta(article_id)
                if meta.lang == route.lang and meta.outlet.slug == route.slug:
                    return 200, dict(HTML_HEADERS), self._article_page(meta)
        elif route.kind == "listing":
            if route.page <= self.listing_page_count(route.lang):
                return 200, dict(HTML_HEADERS), self._listing_page(route.lang, route.page)
        elif route.kind == "robots":
            return 200, dict(TEXT_HEADERS), ROBOTS_TXT
        elif route.kind == "static" and route.target in hp.STATIC_PAGES:
            return 200, dict(HTML_HEADERS), self._static_page(route.target)
        elif route.kind == "redirect":
            body = f'<a href="{route.target}">Moved</a>\n'.encode()
            return 301, {**HTML_HEADERS, "Location": route.target}, body
        return 404, dict(HTML_HEADERS), self._not_found_page()

    def _link(self, article_id: int) -> tuple[str, str]:
        meta = self.meta(article_id)
        return article_path(meta.lang, meta.outlet.slug, meta.num), meta.title

    def _article_page(self, meta: ArticleMeta) -> bytes:
        lang, ui, aid = meta.lang, UI[meta.lang], meta.id
        rng = rng_for(self.seed, STREAM_PAGE, aid)
        position = self._position(aid)
        n_ticker = min(rng.randint(*TICKER_RANGE), position - 1)
        ticker = [self._link(self._older(aid, s)) for s in range(1, n_ticker + 1)]
        window = min(RELATED_WINDOW, position - 1)
        n_related = min(rng.randint(*RELATED_RANGE), window)
        related = [self._older(aid, s) for s in rng.sample(range(1, window + 1), n_related)]
        window = min(300, position - 1)
        most_read = [
            self._older(aid, s) for s in rng.sample(range(1, window + 1), min(MOST_READ, window))
        ]
        target_size = rng.randint(*PAGE_SIZE_RANGE)

        body = self._body(aid)
        path = article_path(lang, meta.outlet.slug, meta.num)
        title = escape(meta.title)
        image = f"https://cdn.maghress.com/uploads/{meta.day:%Y/%m}/{meta.num}.jpg"
        description = escape(body.texts()[0][:160])
        extra = (
            f'<meta name="description" content="{description}">\n'
            f'<meta property="og:title" content="{title}">\n'
            '<meta property="og:type" content="article">\n'
            f'<meta property="og:site_name" content="{hp.SITE_NAME}">\n'
            f'<meta property="og:image" content="{image}">\n'
        )
        parts = [
            hp.head(lang, f"{meta.title} - {hp.SITE_NAME}", extra),
            hp.header(lang, self.languages),
            hp.ticker(lang, ticker),
            '<main class="container"><div class="row"><div class="col-lg-8 col-main">\n',
            f'<article class="post" id="post-{meta.num}">\n<div class="post-image">'
            f'<img src="{image}" alt="{title}" width="750" height="422" loading="lazy">\n',
            hp.report_widget(meta.num, lang),
            f'</div>\n<h1 class="post-title">{title}</h1>\n<div class="post-meta">'
            f'<span class="post-date">'
            f"{escape(ui.published.format(outlet=meta.outlet.name, date=meta.date_text))}"
            "</span></div>\n",
            '<div class="post-content" id="article_body">\n',
            *self._body_html(body, rng),
            "</div>\n",
            f'<div class="source-link"><a href="{escape(self.source_url(aid))}" target="_blank" '
            f'rel="nofollow">{escape(ui.source_link)}</a></div>\n</article>\n',
            f'<section class="related"><h3>{ui.related}</h3><ul>\n',
            *(self._related_item(rid) for rid in related),
            "</ul></section>\n",
            hp.share_bar(path, meta.title, lang),
            f'</div>\n<aside class="col-lg-4 col-side"><div class="widget most-read">'
            f"<h3>{ui.most_read}</h3><ol>",
            *(f'<li><a href="{p}">{escape(t)}</a></li>' for p, t in map(self._link, most_read)),
            '</ol></div><div class="ad-slot" id="div-gpt-ad-side-1"></div></aside>\n'
            "</div></main>\n",
            hp.footer(lang, self.languages),
        ]
        page = "".join(parts).encode()
        tail = hp.tail().encode()
        padding = hp.padding_script(rng, target_size - len(page) - len(tail)).encode()
        return page + padding + tail

    @staticmethod
    def _body_html(body: Body, rng: random.Random) -> list[str]:
        """HTML of the article container's blocks (with some inline markup and an ad)."""
        out = []
        for index, (kind, parts) in enumerate(body.blocks):
            if kind == "h":
                heading = escape(parts[0], quote=False)
                if body.heading_style == "h2":
                    out.append(f"<h2>{heading}</h2>\n")
                else:
                    out.append(f"<p><strong>{heading}</strong></p>\n")
                continue
            sentences = []
            for sentence in parts:
                pieces = [escape(piece, quote=False) for piece in sentence]
                if len(pieces) > 3 and rng.random() < 0.08:
                    pieces[2] = f"<em>{pieces[2]}</em>"
                sentences.append("".join(pieces))
            out.append(f"<p>{' '.join(sentences)}</p>\n")
            if index == 1 and len(body.blocks) > 3:
                out.append(_AD_IN_ARTICLE)
        return out

    def _related_item(self, article_id: int) -> str:
        meta = self.meta(article_id)
        path = article_path(meta.lang, meta.outlet.slug, meta.num)
        return (
            f'<li><a href="{path}">{escape(meta.title)}</a>'
            f'<span class="rel-src">{escape(meta.outlet.name)}</span>'
            f'<span class="rel-date">{meta.date_text}</span></li>\n'
        )

    def _listing_page(self, lang: str, page: int) -> bytes:
        ui = UI[lang]
        ids = self.listing_ids(lang, page)
        first = self.listing_ids(lang, 1)
        count = min(LISTING_TICKER, self.listing_count(lang))
        newest = [self._older(first[0], j) for j in range(count)] if first else []
        title = ui.listing_title if page == 1 else f"{ui.listing_title} - {ui.page_label} {page}"
        links = []
        nav = []
        if page > 1:
            prev_path = listing_page_path(lang, page - 1)
            links.append(f'<link rel="prev" href="{prev_path}">\n')
            nav.append(f'<a class="nav-btn right" href="{prev_path}">&laquo;</a>')
        if page < self.listing_page_count(lang):
            next_path = listing_page_path(lang, page + 1)
            links.append(f'<link rel="next" href="{next_path}">\n')
            nav.append(f'<a class="nav-btn left" href="{next_path}">&raquo;</a>')
        items = []
        for article_id in ids:
            meta = self.meta(article_id)
            path = article_path(meta.lang, meta.outlet.slug, meta.num)
            items.append(
                f'<div class="news-item"><h3 class="news-title"><a href="{path}">'
                f"{escape(meta.title)}</a></h3>"
                f'<div class="news-meta"><span class="news-src">{escape(meta.outlet.name)}</span> '
                f'<span class="news-date">{meta.date_text}</span></div></div>\n'
            )
        parts = [
            hp.head(lang, f"{title} - {hp.SITE_NAME}", "".join(links)),
            hp.header(lang, self.languages),
            hp.ticker(lang, [self._link(i) for i in newest]),
            f'<main class="container"><h1 class="page-title">{escape(title)}</h1>\n',
            '<div class="news-list">\n',
            *items,
            f'</div>\n<div class="pagination">{" ".join(nav)}</div>\n</main>\n',
            hp.footer(lang, self.languages),
            hp.tail(),
        ]
        return "".join(parts).encode()

    def _static_page(self, name: str) -> bytes:
        lang = "fr" if "fr" in self.languages else self.languages[0]
        label = hp.STATIC_PAGES[name]
        parts = [
            hp.head(lang, f"{label} - {hp.SITE_NAME}"),
            hp.header(lang, self.languages),
            f'<main class="container"><h1>{escape(label)}</h1>\n'
            f"<p>{hp.SITE_NAME} est un agrégateur de presse.</p></main>\n",
            hp.footer(lang, self.languages),
            hp.tail(),
        ]
        return "".join(parts).encode()

    @staticmethod
    def _not_found_page() -> bytes:
        return (
            b'<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8">'
            b"<title>Page introuvable - Maghress</title></head>\n"
            b"<body><h1>404</h1><p>Page introuvable.</p></body></html>\n"
        )
