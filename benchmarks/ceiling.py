"""The fetch ceiling: a spider that follows the aggregator's links and does nothing else.

It requests what the `aggregator` spider requests (listing pages, their `<link rel=next>`
pagination, the article links of each listing page, each once) and yields no items, so its
cost per page is what Scrapy itself spends fetching a page. Run by `benchmarks.run`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Request, Response

from newsagg.sites.profiles import load_profile


class FetchCeilingSpider(scrapy.Spider):
    name = "fetch_ceiling"

    def __init__(self, start_urls: str = "", site: str = "maghress", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_urls = [url for url in start_urls.split(",") if url]
        self.article_path = load_profile(site).article_path
        self.hosts = {urlsplit(url).netloc for url in self.start_urls}
        self.seen: set[str] = set()  # like the aggregator: its own bookkeeping, no dupefilter

    async def start(self) -> AsyncIterator[Request]:
        for url in self.start_urls:
            self.seen.add(url)
            yield Request(url, callback=self.parse_listing, dont_filter=True)

    def parse_listing(self, response: Response) -> Iterator[Request]:
        for href in response.xpath("//a/@href").getall():
            url = urljoin(response.url, href)
            parts = urlsplit(url)
            if parts.netloc not in self.hosts or not self.article_path.match(parts.path):
                continue
            url = url.split("?", 1)[0].split("#", 1)[0]
            if url not in self.seen:
                self.seen.add(url)
                yield Request(url, callback=self.parse_article, dont_filter=True)
        next_href = response.xpath("//link[@rel='next']/@href").get()
        if next_href and (url := urljoin(response.url, next_href)) not in self.seen:
            self.seen.add(url)
            yield Request(url, callback=self.parse_listing, dont_filter=True)

    def parse_article(self, response: Response) -> None:
        """Nothing: the page was fetched, that is all the ceiling measures."""
