"""Article metadata from JSON-LD (`NewsArticle`, `Article`...), when a template carries it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from lxml import etree

ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "ReportageNewsArticle",
        "BlogPosting",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "WebPage",
    }
)


def extract_jsonld_article(root: etree._Element) -> dict[str, Any]:
    """The first article-typed object of the page's JSON-LD, or {}; broken JSON is ignored."""
    best: dict[str, Any] = {}
    for script in _JSONLD_SCRIPTS(root):
        try:
            data = json.loads(script.text or "", strict=False)
        except ValueError:
            continue
        for node in _nodes(data):
            types = node.get("@type")
            types = set(types) if isinstance(types, list) else {types}
            if types & ARTICLE_TYPES and (node.get("headline") or node.get("articleBody")):
                if "WebPage" not in types:
                    return node
                best = best or node
    return best


_JSONLD_SCRIPTS = etree.XPath('//script[@type="application/ld+json"]')


def _nodes(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _nodes(item)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _nodes(data["@graph"])
