"""The one spider: a site profile in, listing pages -> article pages -> `Article` out.

The crawl starts at each language's front page (or the outlets `-a sources=` names, or
`-a start_urls=`), discovers the outlets' own listings from the front pages, and follows every
listing with its pagination. Article links are followed from listing pages only (never from
article pages, whose tickers and related lists would multiply the crawl)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.response import get_base_url
from twisted.python.failure import Failure

from newsagg import stats as keys
from newsagg.errors import RequestRefused
from newsagg.extract.article import Extraction
from newsagg.extract.page import parse_page
from newsagg.extract.url import ArticleRef, canonical_url, parse_article_url
from newsagg.items import Article
from newsagg.middlewares.archive import WARC_META
from newsagg.output.archive import Provenance
from newsagg.run import RunContext, attached_context
from newsagg.scaling.ack import Acknowledgement
from newsagg.scaling.link import BackendLost
from newsagg.scaling.queue import CLAIM, LEASE
from newsagg.signals import page_rejected
from newsagg.spiders.arguments import FRONT, OUTLET, front_language
from newsagg.spiders.article_page import Rejection, extract_page, own_article_ref
from newsagg.spiders.incremental import IncrementalCrawl, Triage
from newsagg.spiders.links import LinkJudge, OutletLink
from newsagg.timefmt import utc_stamp

if TYPE_CHECKING:
    from newsagg.scaling.claims import RunClaims
    from newsagg.scaling.journal import RunJournal
    from newsagg.scaling.membership import Membership

logger = logging.getLogger(__name__)

ARTICLE_PRIORITY = 10  # finish a listing page's articles before the next listing page
LISTING_PRIORITY = 5  # a discovered outlet's first page before the next page of a listing


@dataclass(slots=True)
class Listing:
    """One listing followed page after page (a language front page, or one outlet's page)."""

    start_url: str
    kind: str = OUTLET  # front, outlet or start
    outstanding: int = 0  # article requests of the current page not yet answered
    next_url: str | None = None  # held back until they are, when `since` may stop the listing
    next_page: int = 0
    stopped: bool = False


class AggregatorSpider(scrapy.Spider):
    name = "aggregator"
    context: RunContext  # set in from_crawler
    incremental: IncrementalCrawl
    links: LinkJudge
    journal: RunJournal  # a shared run's: where each listing's progress is recorded

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args)  # arguments are the RunContext's: parsed once, in from_crawler
        # Our own request bookkeeping replaces Scrapy's dupefilter (requests carry
        # dont_filter=True): a redirect back to a URL already seen must reach the redirect
        # limit and be recorded as a loop, not vanish in the dupefilter.
        self.requested: set[str] = set()  # canonical article URLs asked for in this run
        self.listing_pages: set[str] = set()  # canonical listing page URLs asked for
        # By start URL. Requests carry only the key, so every request of a listing shares one
        # Listing even through JOBDIR's pickled disk queue; with JOBDIR both live in self.state.
        self.listings: dict[str, Listing] = {}
        # NEWSAGG_BACKEND=redis: the run is shared with other workers (newsagg.scaling). Any of
        # them may answer any request, so requests also carry their listing's kind and, page
        # to page, its progress; first asks are claimed in the run's dupefilter as they are
        # queued, and links another worker asked for already are skipped as if asked here.
        self.shared: Membership | None = None
        self.claims: RunClaims | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        context = attached_context(crawler, kwargs)
        spider = super().from_crawler(crawler, *args)
        spider.context = context
        spider.arguments = context.arguments
        spider.profile = context.arguments.profile
        spider.site = spider.profile.name
        spider.links = LinkJudge(spider.profile, spider.arguments, context.hosts)
        spider.incremental = IncrementalCrawl(
            context.store,
            spider.site,
            full=context.arguments.full or context.config.full,
            stop_after=context.config.stop_after_known_pages,
        )
        context.components["incremental"] = spider.incremental
        context.components["outstanding"] = spider.outstanding
        if context.member is not None:
            from newsagg.scaling.claims import RunClaims
            from newsagg.scaling.journal import RunJournal

            spider.shared = context.member
            spider.claims = RunClaims(context.member.link.client, key=context.member.keys.claims)
            spider.journal = RunJournal(context.member)
        return spider

    def outstanding(self, listing: str) -> int:
        """Article requests of `listing` not answered yet (the publish step asks at the end)."""
        known = self.listings.get(listing)
        return known.outstanding if known is not None else 0

    # --- listing pages -------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        state = getattr(self, "state", None)  # set by Scrapy's SpiderState when JOBDIR is set
        if state is not None:  # pickled at a pause, restored on resume
            self.requested = state.setdefault("requested", self.requested)
            self.listing_pages = state.setdefault("listing_pages", self.listing_pages)
            self.listings = state.setdefault("listings", self.listings)
            incremental = self.incremental
            incremental.progress = state.setdefault("listing_progress", incremental.progress)
            incremental.skipped = state.setdefault("skipped_known", incremental.skipped)
        if self.shared is not None:  # newsagg-seed queued the start listings; counted here
            for url, _ in self.context.start_listings:
                self.context.tally.start_listing(url)
            return
        for url, kind in self.context.start_listings:
            self.context.tally.start_listing(url)
            listing = self.listing(url, kind)
            # A start URL may be an article itself: `-a start_urls=.../fr/lopinion/123`.
            ref = parse_article_url(url, self.profile)
            if ref is not None:
                self.requested.add(ref.url)
                listing.outstanding += 1
                yield self.article_request(ref, listing, author=None)
            else:
                yield self.listing_request(url, listing, page=1)

    def listing(self, url: str, kind: str) -> Listing:
        listing = self.listings.get(url)
        if listing is None:
            listing = self.listings[url] = Listing(start_url=url, kind=kind)
            self.context.tally.listing_kind(kind).found += 1
        return listing

    def listing_of(self, meta: dict[str, Any]) -> Listing:
        """The Listing a request belongs to; in a shared run, made on first sight when another
        worker started or found it."""
        known = self.listings.get(meta["listing"])
        if known is None:
            known = self.listings[meta["listing"]] = Listing(meta["listing"], meta["kind"])
        return known

    def article_request(self, ref: ArticleRef, listing: Listing, author: str | None) -> Request:
        meta = {"listing": listing.start_url, "kind": listing.kind, "ref": ref}
        return Request(
            ref.url,
            callback=self.parse_article,
            errback=self.request_failed,
            priority=ARTICLE_PRIORITY,
            meta={**meta, "teaser_author": author, **self.first_ask()},
            dont_filter=True,
        )

    def listing_request(self, url: str, listing: Listing, page: int) -> Request:
        self.listing_pages.add(url)
        meta: dict[str, Any] = {"listing": listing.start_url, "kind": listing.kind, "page": page}
        if self.shared is not None and page > 1:  # the page after brings the progress along
            meta["progress"] = self.incremental.progress.get(listing.start_url)
        return Request(
            url,
            callback=self.parse_listing,
            errback=self.request_failed,
            priority=LISTING_PRIORITY if page == 1 else 0,
            meta={**meta, **self.first_ask()},
            dont_filter=True,
        )

    def first_ask(self) -> dict[str, bool]:
        """Meta that has a shared run's scheduler claim the request as it queues it."""
        return {CLAIM: True} if self.shared is not None else {}

    def claimed(self, urls: Iterable[str]) -> set[str]:
        """URLs another worker of a shared run asked for (none, in a run of its own)."""
        if self.claims is None or self.shared is None:
            return set()
        try:
            return self.shared.link.call(self.claims.claimed, urls)
        except BackendLost:
            return set()

    def parse_listing(self, response: Response) -> Iterator[Request]:
        listing = self.listing_of(response.meta)
        page: int = response.meta["page"]
        if self.shared is not None:
            self.incremental.adopt(listing.start_url, response.meta.get("progress"))
        tally = self.context.tally
        tally.listing_pages += 1
        tally.listing_kind(listing.kind).read(page)
        if not isinstance(response, TextResponse):
            self.reject(response.url, "not_html", "listing page is not HTML", {"page": page})
            self.start_failed(listing, page, "is not an HTML page")
            return
        here = self.context.hosts.canonical(canonical_url(response.url)) or response.url
        found = self.links.read(parse_page(response), get_base_url(response), here, page)
        refs = found.articles
        if not refs:
            self.start_failed(listing, page, "answered without any article link")
        requested: Collection[str] = self.requested
        if self.shared is not None:  # this page's links asked for, here or by another worker
            here = {r.url for r in refs if r.url in self.requested}
            requested = here | self.claimed(r.url for r in refs if r.url not in here)
        # Not requested yet, not in the state:
        triage = self.incremental.triage(listing.start_url, page, refs, requested)
        tally.article_links += len(refs)
        tally.skipped["known"] += triage.known
        tally.listing_kind(listing.kind).articles += len(triage.new) + triage.known
        logger.debug(
            "%s: listing page %d: %d article links, %d new", here, page, len(refs), len(triage.new)
        )
        for ref in triage.new:
            self.requested.add(ref.url)
            listing.outstanding += 1
            yield self.article_request(ref, listing, found.teaser_authors.get(ref.url))
        if listing.kind == FRONT and page == 1:
            yield from self.discover(listing, found.outlets)
        following = list(self.next_page(listing, page, found.next_url, triage))
        if self.shared is not None:  # what the publishing step records of the listing
            progress = self.incremental.progress.get(listing.start_url)
            try:
                self.journal.progress(listing.start_url, page, progress)
            except BackendLost:
                return
        yield from following

    def discover(self, front: Listing, outlets: list[OutletLink]) -> Iterator[Request]:
        """The outlet listings of its own language a front page links to, each followed once
        per run."""
        language = front_language(front.start_url, self.profile)
        for outlet in outlets:
            if outlet.language == language and outlet.url not in self.listings:
                yield self.listing_request(outlet.url, self.listing(outlet.url, OUTLET), page=1)

    def next_page(
        self, listing: Listing, page: int, next_url: str | None, triage: Triage
    ) -> Iterator[Request]:
        if next_url is None or next_url in self.listing_pages or self.claimed([next_url]):
            self.incremental.finish(listing.start_url)
            return
        if self.arguments.max_pages and page >= self.arguments.max_pages:
            self.crawler.stats.inc_value(keys.LISTINGS_MAX_PAGES)
            return
        if self.incremental.stops(listing.start_url, triage):
            self.crawler.stats.inc_value(keys.LISTINGS_STOPPED_KNOWN)
            return
        if self.arguments.since is None or listing.outstanding == 0:
            yield self.listing_request(next_url, listing, page + 1)
        else:
            # Whether to go on depends on the dates of this page's articles.
            listing.next_url, listing.next_page = next_url, page + 1

    # --- article pages -------------------------------------------------------------------------

    def parse_article(self, response: Response) -> Iterator[Article]:
        listing = self.listing_of(response.meta)
        try:
            yield from self._article(response, listing)
        finally:
            self.article_done(listing)

    def _article(self, response: Response, listing: Listing) -> Iterator[Article]:
        ref = own_article_ref(response, self.profile, self.context.hosts)
        if isinstance(ref, Rejection):
            self.rejected(ref)
            return
        timer = self.context.timer
        with timer("parse"):
            page = parse_page(response)  # type: ignore[arg-type]  # own_article_ref: a TextResponse
        with timer("extraction"):
            found = extract_page(page, ref, self.profile, get_base_url(response))
        if isinstance(found, Rejection):
            self.rejected(found)
            return
        if self.counted_and_kept(found, listing):
            yield self.article(
                ref, found, response.meta.get("teaser_author"), response.meta.get(WARC_META)
            )

    def counted_and_kept(self, found: Extraction, listing: Listing | None) -> bool:
        """Count what the page gave; whether its article goes on (not before `since`)."""
        self.count_extraction(found)
        published = found.published
        if self.arguments.since and published and published < self.arguments.since:
            self.context.tally.skipped["before_since"] += 1
            if listing is not None:
                listing.stopped = True
            return False
        return True

    def rejected(self, rejection: Rejection) -> None:
        if rejection.traceback is not None:
            # A bug in an extractor: logged with its traceback (an ERROR, which the health
            # check reports), and the page recorded so it is not lost without trace.
            logger.error("%s: extraction failed\n%s", rejection.url, rejection.traceback.rstrip())
        self.reject(rejection.url, rejection.reason, rejection.message, rejection.found)

    def article(
        self,
        ref: ArticleRef,
        found: Extraction,
        teaser_author: str | None,
        warc: Provenance | None,
    ) -> Article:
        line, published = found.published_line, found.published
        return Article(
            id=f"{self.site}:{ref.source_slug}:{ref.article_id}",
            url=ref.url,
            site=self.site,
            source=line.outlet if line else None,
            source_slug=ref.source_slug,
            source_url=found.source_url,
            title=found.title,
            published=published.isoformat() if published else None,
            published_raw=line.raw if line else None,
            language=ref.language,
            body="\n\n".join(found.paragraphs) or None,
            author=found.author or teaser_author,
            scraped_at=utc_stamp(),
            warc=warc.as_dict() if warc is not None else None,
        )

    def count_extraction(self, found: Extraction) -> None:
        stats = self.crawler.stats
        stats.inc_value(keys.body_method(found.body_method or "none"))
        if found.date_method:
            stats.inc_value(keys.date_method(found.date_method))
        if found.published_line is None:
            stats.inc_value(keys.NO_PUBLISHED_LINE)
        if found.source_url is None:
            stats.inc_value(keys.NO_SOURCE_LINK)
        # Older pages hold U+FFFD where the site lost accents: kept as they are, and counted.
        lost = sum(text.count("\ufffd") for text in (found.title or "", *found.paragraphs))
        if lost:
            stats.inc_value(keys.REPLACEMENT_CHARS, lost)

    def article_done(self, listing: Listing) -> None:
        """One fewer answer awaited; release the held-back next page if the listing goes on."""
        listing.outstanding -= 1
        if listing.outstanding > 0 or listing.next_url is None:
            return
        next_url, listing.next_url = listing.next_url, None
        if listing.stopped:
            self.crawler.stats.inc_value(keys.LISTINGS_STOPPED_BY_SINCE)
            self.incremental.finish(listing.start_url)
            return
        self.crawler.engine.crawl(self.listing_request(next_url, listing, listing.next_page))

    # --- failures ------------------------------------------------------------------------------

    def request_failed(self, failure: Failure) -> None:
        request: Request = failure.request  # type: ignore[attr-defined]
        reason, message = failure_reason(failure)
        kind = "article" if "ref" in request.meta else "listing"
        self.reject(request.url, reason, message, {"page_kind": kind})
        listing = self.listing_of(request.meta)
        if kind == "listing" or request.meta["ref"].url == listing.start_url:
            self.start_failed(listing, request.meta.get("page", 1), f"failed: {message}")
        if kind == "article":
            self.article_done(listing)
        lease = request.meta.get(LEASE)
        if self.shared is not None and lease is not None:  # errbacks skip the ack middleware
            # Through the scheduler, as the middleware's: after what this failure queued.
            self.crawler.engine.crawl(Acknowledgement(lease))

    def start_failed(self, listing: Listing, page: int, problem: str) -> None:
        """The first page of a start listing (or a start article) failed: the run is
        unhealthy whatever its size."""
        start = self.context.tally.start_listings.get(listing.start_url)
        if start is not None and page == 1 and start.problem is None:
            start.problem = problem

    def reject(self, url: str, reason: str, message: str, found: dict[str, Any]) -> None:
        self.crawler.signals.send_catch_log(
            page_rejected, url=url, reason=reason, message=message, found=found
        )


def failure_reason(failure: Failure) -> tuple[str, str]:
    """A short stable reason and a readable message for a request that got no usable page,
    by the failure's type: an HTTP status, one of our refusals, or no answer at all."""
    if failure.check(HttpError):
        status = failure.value.response.status
        return f"http_{status}", f"HTTP {status} after retries"
    if failure.check(RequestRefused):
        return failure.value.reason, str(failure.value)
    return "fetch_error", f"{failure.type.__name__}: {failure.getErrorMessage()}"
