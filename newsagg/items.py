"""The output record. Field names are a public contract: they stay once shipped."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(slots=True)
class Article:
    """One article as it goes to the dataset (documented field by field in README)."""

    id: str  # "{site}:{source_slug}:{numeric_id}", stable across runs
    url: str  # final canonical URL, after redirects
    site: str  # profile name: "maghress"
    source: str | None  # outlet as written on the published line: "L'opinion"
    source_slug: str  # outlet slug from the URL: "lopinion"
    source_url: str | None  # absolute href of the read-at-source link
    title: str | None
    published: str | None  # ISO 8601 day "2022-01-19", from the published line only
    published_raw: str | None  # the published line itself, cleaned
    language: str  # ISO 639-1 from the URL's language prefix
    body: str | None  # paragraphs joined by one blank line
    author: str | None  # the article page's author link, else its listing teaser's
    scraped_at: str  # UTC ISO 8601, second precision
    content_hash: str | None = None  # sha256 of the normalized body; set by CleanPipeline
    duplicate_of: str | None = None  # URL of the first copy; set by the dedupe pipelines
    updated: bool = False  # re-emitted because its body changed since an earlier run
    # Where the page's response lies in the run's WARC archive: {file, offset, record_id};
    # None when the run keeps no archive.
    warc: dict[str, str | int] | None = None


ARTICLE_FIELDS = tuple(field.name for field in fields(Article))  # in the records' order

# Fields an article page may fail to give (the others are always set): their fill rates are
# counted over every extracted article, reported in the manifest and judged by the health check.
FILL_FIELDS = ("title", "source", "source_url", "published", "body", "author")
