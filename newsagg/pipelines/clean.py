"""Normalize an article's text fields and fingerprint its body."""

from __future__ import annotations

import hashlib

from newsagg.extract.text import clean_text, normalize_for_hash
from newsagg.items import Article


class CleanPipeline:
    """Title and source cleaned (idempotent on extractor output); `content_hash` = sha256 of
    the body with case, punctuation and spacing folded, so a re-encoded copy hashes the same."""

    def process_item(self, item: Article) -> Article:
        item.title = clean_text(item.title) or None
        item.source = clean_text(item.source) or None
        item.body = clean_body(item.body)
        item.content_hash = content_hash(item.body) if item.body else None
        return item


def clean_body(body: str | None) -> str | None:
    """Each paragraph cleaned, the empty ones dropped; None if none is left."""
    if not body:
        return body
    paragraphs = (clean_text(p) for p in body.split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p) or None


def content_hash(body: str) -> str:
    return hashlib.sha256(normalize_for_hash(body).encode("utf-8")).hexdigest()
