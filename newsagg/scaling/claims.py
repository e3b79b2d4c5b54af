"""The run's dupefilter: scrapy-redis's, on the run's claims set. The spider's requests carry
dont_filter=True (a redirect back to a URL already asked for must reach the redirect limit), so
the scheduler asks it explicitly for the requests the spider marks as first asks (`CLAIM`), in
the same Lua step as the push; `claimed` lets the spider skip, as in one process, the links
another worker already asked for."""

from __future__ import annotations

from collections.abc import Iterable

from scrapy import Request
from scrapy_redis.dupefilter import RFPDupeFilter


class RunClaims(RFPDupeFilter):
    def fingerprint_of(self, url: str) -> str:
        """The fingerprint of a plain GET of `url`: what the spider's request for it gets."""
        return self.request_fingerprint(Request(url))

    def claimed(self, urls: Iterable[str]) -> set[str]:
        """The URLs among `urls` that a worker of the run has asked for."""
        wanted = list(dict.fromkeys(urls))
        if not wanted:
            return set()
        flags = self.server.smismember(self.key, [self.fingerprint_of(url) for url in wanted])
        return {url for url, flag in zip(wanted, flags, strict=True) if flag}

    def close(self, reason: str = "") -> None:
        """Kept: the run's other workers still use it (the publish step deletes it)."""

    def clear(self) -> None:
        """Kept, as `close`."""
