"""Item pipelines of a user's own, for the crawls of tests/test_dedupe_crawl.py."""

from __future__ import annotations

from scrapy.exceptions import DropItem

from newsagg.items import Article


class DropArticle200:
    """Drops article 200, as a filter a user puts before the dedupe stage would."""

    def process_item(self, item: Article) -> Article:
        if item.id.endswith(":200"):
            raise DropItem("left out by a stage of the user's")
        return item
