"""What each archived response is to a re-extraction, decided in archive order: an article
page to extract, a listing page to read for its teasers' authors (both in a worker), or a
response passed over (an error answer, a redirect, robots.txt, a second copy of a page).

The crawl took an article's teaser author from the first listing page that led to it, and
asked for each article once; listing pages are archived before the articles they led to, and
the workers' results come back in archive order, so each article gets the same teaser author
and the same first copy as the crawl did."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from urllib.parse import urljoin, urlsplit

from scrapy.http import TextResponse
from scrapy.statscollectors import StatsCollector
from scrapy.utils.response import get_base_url

from newsagg import stats as keys
from newsagg.dedupe.fingerprint import MinHasher
from newsagg.dedupe.run_texts import Fingerprint, text_fingerprint
from newsagg.extract.article import Extraction
from newsagg.extract.page import parse_page
from newsagg.extract.url import ArticleRef, canonical_url, parse_article_url
from newsagg.output.archive import Provenance
from newsagg.output.archive_reader import ArchiveDamage, ArchivedResponse
from newsagg.pipelines.clean import CleanedBody, cleaned_body
from newsagg.reextract.responses import Undecodable, scrapy_response
from newsagg.scratch_db import ScratchSet
from newsagg.sites.profiles import SiteProfile
from newsagg.spiders.arguments import CrawlArguments
from newsagg.spiders.article_page import Rejection, extract_page, own_article_ref
from newsagg.spiders.hosts import SiteHosts
from newsagg.spiders.links import LinkJudge

logger = logging.getLogger(__name__)

_MAX_REDIRECTS = 20  # as Scrapy's REDIRECT_MAX_TIMES: hops followed back to a teaser's URL


@dataclass(frozen=True, slots=True)
class ArticleWork:
    ref: ArticleRef
    archived: ArchivedResponse


@dataclass(frozen=True, slots=True)
class ListingWork:
    own: str  # the page's URL on the canonical host
    archived: ArchivedResponse


@dataclass(frozen=True, slots=True)
class BodyAhead:
    """What the item pipelines would compute from an article's body, computed by the worker
    so the process that runs them does not: CleanPipeline's cleaned body and content hash
    (`cleaned_ahead`), the dedupe stage's fingerprint (`Deduplicator.offer`)."""

    cleaned: CleanedBody
    fingerprint: Fingerprint | None


@dataclass(frozen=True, slots=True)
class ArticleResult:
    ref: ArticleRef
    provenance: Provenance
    outcome: Extraction | Rejection
    ahead: BodyAhead | None = None  # None when not asked (one process) or not extracted


@dataclass(frozen=True, slots=True)
class ListingResult:
    teasers: tuple[tuple[str, str | None], ...]  # article URL, its teaser's author, in order
    outcome: str  # "listing_read", or why the page was not read


class PageSorter:
    def __init__(self, profile: SiteProfile, hosts: SiteHosts, stats: StatsCollector) -> None:
        self.profile = profile
        self.hosts = hosts
        self.stats = stats
        self.seen = ScratchSet()  # article URLs given to extraction
        self.teasers: dict[str, str | None] = {}  # article URL -> the first teaser's author
        self.redirected_from: dict[str, str] = {}  # redirect target -> the URL redirected

    def works(
        self, items: Iterable[ArchivedResponse | ArchiveDamage]
    ) -> Iterator[ArticleWork | ListingWork]:
        """The pages to read (articles to extract, listings for their teasers' authors), in
        order; the rest is passed over here."""
        for item in items:
            if isinstance(item, ArchiveDamage):
                # An ERROR: the run is unhealthy, and the record is named where it broke.
                logger.error("archive damaged: %s", item)
                self.stats.inc_value(keys.ARCHIVE_DAMAGED)
                continue
            self.stats.inc_value(keys.REEXTRACT_RESPONSES)
            work = self.sort(item)
            if work is not None:
                yield work

    def sort(self, archived: ArchivedResponse) -> ArticleWork | ListingWork | None:
        own = self.hosts.canonical(canonical_url(archived.url))
        if own is None:
            return self.skip("offsite")
        if 300 <= archived.status < 400:
            self.note_redirect(own, archived)
            return self.skip("redirect")
        if not 200 <= archived.status < 300:  # the crawl's HttpError: a reject, not a page
            return self.skip(f"status_{archived.status}")
        ref = parse_article_url(own, self.profile)
        if ref is None:
            if urlsplit(own).path == "/robots.txt":
                return self.skip("robots_txt")
            return ListingWork(own, archived)
        if not self.seen.add(ref.url):
            return self.skip("repeated")
        return ArticleWork(ref, archived)

    def listing_read(self, result: ListingResult) -> None:
        """A listing page's teasers, read in a worker; before the articles it led to, since
        the results come in archive order."""
        for url, author in result.teasers:
            self.teasers.setdefault(url, author)
        self.skip(result.outcome)

    def note_redirect(self, own: str, archived: ArchivedResponse) -> None:
        location = next((v for k, v in archived.headers if k.lower() == "location"), None)
        if location is None:
            return
        target = self.hosts.canonical(canonical_url(urljoin(archived.url, location)))
        if target is not None:
            self.redirected_from.setdefault(target, own)

    def teaser_author(self, url: str) -> str | None:
        """The author the teaser that led to `url` named (through the redirects to it)."""
        for _ in range(_MAX_REDIRECTS):
            if url in self.teasers:
                return self.teasers.pop(url)
            origin = self.redirected_from.get(url)
            if origin is None:
                return None
            url = origin
        return None

    def skip(self, reason: str) -> None:
        self.stats.inc_value(keys.reextract_skipped(reason))


# --- in the worker processes -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WorkerSite:
    profile: SiteProfile
    hosts: SiteHosts
    links: LinkJudge
    hasher: MinHasher | None  # when the worker computes the pipelines' work ahead


_SITE: WorkerSite | None = None  # given once to each worker process


def start_worker(
    profile: SiteProfile, arguments: CrawlArguments, hosts: SiteHosts, hasher: MinHasher | None
) -> None:
    global _SITE
    _SITE = WorkerSite(profile, hosts, LinkJudge(profile, arguments, hosts), hasher)


def read_work(work: ArticleWork | ListingWork) -> ArticleResult | ListingResult:
    assert _SITE is not None, "start_worker() first"
    if isinstance(work, ListingWork):
        return read_listing(work, _SITE.links)
    result = extract_archived(work, _SITE.profile, _SITE.hosts)
    if _SITE.hasher is None or not isinstance(result.outcome, Extraction):
        return result
    return replace(result, ahead=body_ahead(result.outcome, _SITE.hasher, _SITE.profile.name))


def read_listing(work: ListingWork, links: LinkJudge) -> ListingResult:
    try:
        response = scrapy_response(work.archived)
    except Undecodable:
        return ListingResult((), "undecodable")
    if not isinstance(response, TextResponse):
        return ListingResult((), "not_html")
    found = links.read(parse_page(response), get_base_url(response), work.own, 1)
    teasers = tuple((ref.url, found.teaser_authors.get(ref.url)) for ref in found.articles)
    return ListingResult(teasers, "listing_read")


def body_ahead(found: Extraction, hasher: MinHasher, site: str) -> BodyAhead:
    """What CleanPipeline and the dedupe stage will compute from the article's body."""
    cleaned = cleaned_body("\n\n".join(found.paragraphs) or None)
    return BodyAhead(cleaned, text_fingerprint(hasher, site, cleaned[0]))


def extract_archived(work: ArticleWork, profile: SiteProfile, hosts: SiteHosts) -> ArticleResult:
    """The article page through the crawl callback's own steps."""
    archived = work.archived
    outcome: Extraction | Rejection
    try:
        response = scrapy_response(archived)
    except Undecodable as exc:
        outcome = Rejection(work.ref.url, "fetch_error", f"body does not decode: {exc}")
    else:
        ref = own_article_ref(response, profile, hosts)  # work.ref, or not HTML
        if isinstance(ref, Rejection):
            outcome = ref
        else:
            page = parse_page(response)  # type: ignore[arg-type]  # own_article_ref: a TextResponse
            outcome = extract_page(page, ref, profile, get_base_url(response))
    return ArticleResult(work.ref, archived.provenance, outcome)
