"""Scrapy's redirect and robots.txt middlewares, refusing with typed exceptions, and a guard
that keeps redirects on the crawl's own hosts.

The spider names a failed request's reject by the exception's type (`RequestRefused.reason`),
never by words in its message: Scrapy's own middlewares raise a bare IgnoreRequest for a
redirect loop and for robots.txt alike."""

from __future__ import annotations

from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.robotstxt import RobotParser

from newsagg.errors import OffsiteRedirect, RedirectLoop, RobotsForbidden
from newsagg.spiders.hosts import SiteHosts


class _TypedRedirects:
    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        try:
            return super()._redirect(redirected, request, reason)  # type: ignore[misc]
        except IgnoreRequest as exc:  # the only refusal there: too many redirects
            raise RedirectLoop(str(exc)) from None


class TypedRedirectMiddleware(_TypedRedirects, RedirectMiddleware):
    pass


class TypedMetaRefreshMiddleware(_TypedRedirects, MetaRefreshMiddleware):
    pass


class TypedRobotsTxtMiddleware(RobotsTxtMiddleware):
    def process_request_2(self, rp: RobotParser | None, request: Request) -> None:
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest as exc:  # the only refusal there: a disallowed path
            raise RobotsForbidden(str(exc)) from None


class OffsiteRedirectGuard:
    """A request that a redirect (HTTP or meta refresh) produced, for a host outside the
    crawl's, is refused before robots.txt or the page of that host is requested; one for
    another address of the same site (`http://` for `https://`, the bare host for `www.`, the
    real site from a mirror) is sent to the canonical host instead."""

    def __init__(self, hosts: SiteHosts) -> None:
        self.hosts = hosts

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        from newsagg.run import run_context  # here: the context imports this module

        return cls(run_context(crawler).hosts)

    def process_request(self, request: Request) -> Request | None:
        if not request.meta.get("redirect_urls"):
            return None
        canonical = self.hosts.canonical(request.url)
        if canonical is None:
            origin = request.meta["redirect_urls"][0]
            raise OffsiteRedirect(f"{origin} redirects to {request.url}, outside the crawl")
        return None if canonical == request.url else request.replace(url=canonical)
