"""The hosts of one crawl: the canonical base and every address that is the same site.

The real sites answer on `www.` and bare hosts, over http and https, and their pages link all
four. Those (and a profile's declared `aliases`) are one site: a link to any of them is
followed, rewritten to the canonical scheme and host, so `url` always names one address and an
article is requested once. A crawl pointed at a mirror (`-a base_url=`, `-a start_urls=`)
treats the profile's real hosts as aliases of the mirror, whose pages may link them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit


@dataclass(frozen=True, slots=True)
class SiteHosts:
    scheme: str  # of the canonical base
    netloc: str  # "www.maghress.com", "127.0.0.1:8000"
    aliases: frozenset[str]  # other netlocs of the same site (any scheme)

    @classmethod
    def of(cls, canonical_base: str, others: Iterable[str] = ()) -> SiteHosts:
        """`canonical_base` and the www./bare variants of it and of every URL in `others`."""
        base = urlsplit(canonical_base)
        netloc = base.netloc.lower()
        aliases = set(_variants(netloc))
        for other in others:
            aliases |= _variants(urlsplit(other).netloc.lower())
        aliases.discard(netloc)
        return cls(base.scheme.lower() or "https", netloc, frozenset(aliases))

    @property
    def netlocs(self) -> frozenset[str]:
        return self.aliases | {self.netloc}

    def owns(self, url: str) -> bool:
        return urlsplit(url).netloc.lower() in self.netlocs

    def canonical(self, url: str) -> str | None:
        """`url` on the canonical scheme and host, or None for a URL of another site."""
        parts = urlsplit(url)
        netloc = parts.netloc.lower()
        if netloc == self.netloc and parts.scheme.lower() == self.scheme:
            return url
        if netloc not in self.netlocs or parts.scheme.lower() not in ("http", "https"):
            return None
        return urlunsplit((self.scheme, self.netloc, parts.path, parts.query, parts.fragment))


def _variants(netloc: str) -> set[str]:
    """A host with and without `www.` (an IP address or localhost has no such variant)."""
    if not netloc:
        return set()
    host, sep, port = netloc.partition(":")
    if host.replace(".", "").isdigit() or "." not in host:
        return {netloc}
    bare = host.removeprefix("www.")
    return {f"{bare}{sep}{port}", f"www.{bare}{sep}{port}"}
