"""Normalize an article's text fields and fingerprint its body."""

from __future__ import annotations

import hashlib
from typing import Self

from scrapy.crawler import Crawler

from newsagg.extract.text import clean_text, normalize_for_hash
from newsagg.items import Article
from newsagg.pipelines.ahead import Ahead
from newsagg.run import RunContext, run_context

CLEANED_AHEAD = "cleaned_ahead"  # RunContext.components: bodies cleaned by other processes

# A raw body -> what this stage makes of it: (cleaned body, content hash).
CleanedBody = tuple[str | None, str | None]


class CleanPipeline:
    """Title and source cleaned (idempotent on extractor output); `content_hash` = sha256 of
    the body with case, punctuation and spacing folded, so a re-encoded copy hashes the same."""

    def __init__(self, ahead: Ahead[str, CleanedBody] | None = None) -> None:
        self.ahead = ahead if ahead is not None else Ahead()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(cleaned_ahead(run_context(crawler)))

    def process_item(self, item: Article) -> Article:
        item.title = clean_text(item.title) or None
        item.source = clean_text(item.source) or None
        done = self.ahead.take(item.body) if item.body else None
        item.body, item.content_hash = done if done is not None else cleaned_body(item.body)
        return item


def cleaned_ahead(context: RunContext) -> Ahead[str, CleanedBody]:
    """Bodies a re-extraction's workers cleaned and hashed, for the run's CleanPipeline."""
    ahead = context.components.get(CLEANED_AHEAD)
    if ahead is None:
        ahead = context.components[CLEANED_AHEAD] = Ahead()
    return ahead


def cleaned_body(raw: str | None) -> CleanedBody:
    body = clean_body(raw)
    return body, content_hash(body) if body else None


def clean_body(body: str | None) -> str | None:
    """Each paragraph cleaned, the empty ones dropped; None if none is left."""
    if not body:
        return body
    paragraphs = (clean_text(p) for p in body.split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p) or None


def content_hash(body: str) -> str:
    return hashlib.sha256(normalize_for_hash(body).encode("utf-8")).hexdigest()
