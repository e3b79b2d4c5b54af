"""Crafted maghress-template pages for production-run tests: articles, listings, slow pages;
and one article record, for the stages that take records."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from newsagg.items import Article
from newsagg.pipelines.clean import content_hash
from newsagg.sample.build import article_page
from tests.conftest import REPO, LocalSite, Route, crawl_command, crawl_env, listing_html

READ_AT_SOURCE = "Cliquez ici pour lire l'article depuis sa source"


def article_html(
    n: int,
    *,
    title: str | None = None,
    line: str | None = "Publié dans L'opinion le 19 - 01 - 2022",
    source_href: str | None = "https://www.lopinion.ma/article-{n}.html",
) -> str:
    """A French article page in the maghress template (the sample's own); `line=None` drops
    the published line, `source_href=None` the read-at-source link."""
    article = {
        "title": title or f"Article numéro {n} : la Bourse de Casablanca termine en hausse",
        "line": line,
        "source_url": source_href.format(n=n) if source_href else None,
        "read_at_source": READ_AT_SOURCE,
        "body": [
            f"Le texte de l'article {n} commence ici, avec assez de mots pour faire un paragraphe.",
            f"Un second paragraphe de l'article {n} conclut le propos.",
        ],
    }
    return article_page(article, ticker=[], lang="fr")


def article_path(n: int) -> str:
    return f"/fr/lopinion/{1000 + n}"


def news_site(site: LocalSite, count: int, *, seconds: float = 0, **page: str | None) -> list[str]:
    """`count` articles (built by `article_html(n, **page)`) linked from /fr/; their paths.
    With `seconds`, each article answers after that long: a crawl to watch while it runs."""
    paths = [article_path(n) for n in range(count)]
    for n, path in enumerate(paths):
        if seconds:
            site.add_dynamic(path, slow(article_html(n, **page), seconds))
        else:
            site.add(path, article_html(n, **page))
    site.add("/fr/", listing_html(paths))
    return paths


def slow(body: str, seconds: float) -> Callable[[], Route]:
    """A route that answers `body` after `seconds`: keeps a crawl running long enough to watch."""

    def handler() -> Route:
        time.sleep(seconds)
        return 200, {"Content-Type": "text/html; charset=utf-8"}, body.encode("utf-8")

    return handler


class Gate:
    """Holds answers mid-crawl, for as long as a test needs, whatever the machine's speed:
    the first `free` answers through it go at once, the others wait until `open()`."""

    def __init__(self, free: int = 0) -> None:
        self.free = free
        self.answered = 0
        self.opened = threading.Event()
        self.lock = threading.Lock()

    def open(self) -> None:
        self.opened.set()

    def pass_through(self, timeout: float = 60) -> None:
        with self.lock:
            self.answered += 1
            held = self.answered > self.free
        if held:
            self.opened.wait(timeout)


def gated(body: str, gate: Gate) -> Callable[[], Route]:
    """A route that answers `body` when `gate` lets it."""

    def handler() -> Route:
        gate.pass_through()
        return 200, {"Content-Type": "text/html; charset=utf-8"}, body.encode("utf-8")

    return handler


def start_crawl(tmp_path: Path, **kwargs: object) -> subprocess.Popen[str]:
    """`crawl_command(...)` started in the background (stdout and stderr to tmp_path/log)."""
    command = crawl_command(tmp_path, **kwargs)  # type: ignore[arg-type]
    with (tmp_path / "crawl.log").open("a", encoding="utf-8") as log:
        return subprocess.Popen(
            command, cwd=REPO, env=crawl_env(), stdout=log, stderr=subprocess.STDOUT, text=True
        )


def wait_for(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def dataset_files(data: Path) -> list[str]:
    """Every file of the sites' datasets, relative to the root (the run locks, `{site}.lock`
    beside the site directories, are not part of a dataset)."""
    return sorted(str(p.relative_to(data)) for p in data.glob("*/**/*") if p.is_file())


_RECORD = Article(
    id="maghress:lopinion:123",
    url="https://www.maghress.com/fr/lopinion/123",
    site="maghress",
    source="L'opinion",
    source_slug="lopinion",
    source_url="https://www.lopinion.ma/a.html",
    title="Un titre",
    published="2022-01-19",
    published_raw="Publié dans L'opinion le 19 - 01 - 2022",
    language="fr",
    body="Un paragraphe.",
    author=None,
    scraped_at="2026-11-26T09:45:27Z",
    content_hash=content_hash("Un paragraphe."),
)


def article_record(**fields: Any) -> Article:
    """A valid, cleaned article record, with `fields` changed."""
    return replace(_RECORD, **fields)
