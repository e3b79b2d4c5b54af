"""Shared test parts: a real HTTP server on 127.0.0.1, and a real `scrapy crawl` to run on it."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
PAGES = FIXTURES / "pages"
SCRAPY = [sys.executable, "-m", "scrapy"]

Route = tuple[int, dict[str, str], bytes]


@dataclass
class LocalSite:
    """Routes served by a ThreadingHTTPServer; every request is recorded."""

    routes: dict[str, Route | Callable[[], Route]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    user_agents: list[str] = field(default_factory=list)
    base_url: str = ""

    def add(
        self,
        path: str,
        body: str | bytes,
        status: int = 200,
        content_type: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = (status, {"Content-Type": content_type, **(headers or {})}, data)

    def add_dynamic(self, path: str, handler: Callable[[], Route]) -> None:
        self.routes[path] = handler

    def redirect(self, path: str, target: str, status: int = 301) -> None:
        self.routes[path] = (status, {"Location": target}, b"")

    def fail_then_serve(self, path: str, body: str, failures: int = 1) -> None:
        """`failures` answers of 500, then the page: what a retry must get through."""
        count = {"n": 0}

        def handler() -> Route:
            count["n"] += 1
            if count["n"] <= failures:
                return 500, {"Content-Type": "text/plain"}, b"boom"
            return 200, {"Content-Type": "text/html; charset=utf-8"}, body.encode("utf-8")

        self.routes[path] = handler

    def hits(self, path: str) -> int:
        return sum(1 for seen in self.requests if seen == path)


def _handler_for(site: LocalSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.requests.append(self.path)
            site.user_agents.append(self.headers.get("User-Agent", ""))
            route = site.routes.get(self.path)
            if route is None and self.path == "/robots.txt":
                route = (200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n")
            if route is None:
                route = (404, {"Content-Type": "text/html"}, b"<html><body>Not found</body></html>")
            status, headers, body = route() if callable(route) else route
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            # The crawler may be killed mid-answer: what some tests do on purpose.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serving(site: LocalSite) -> Iterator[LocalSite]:
    """Serve `site` on 127.0.0.1 (a free port) for the duration of the block."""
    with ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(site)) as server:
        site.base_url = f"http://127.0.0.1:{server.server_port}"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield site
        finally:
            server.shutdown()


@pytest.fixture
def local_site() -> Iterator[LocalSite]:
    """An empty site on 127.0.0.1; the test adds its pages, then crawls `base_url`."""
    with serving(LocalSite()) as site:
        yield site


@dataclass
class CrawlResult:
    returncode: int
    records: list[dict[str, Any]]
    rejects: list[dict[str, Any]]
    log: str
    output: Path
    base_url: str = ""

    def by_id(self) -> dict[str, dict[str, Any]]:
        return {record["id"]: record for record in self.records}


FAST_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "LOG_LEVEL": "INFO",
    "NEWSAGG_RETRY_BACKOFF": "0",
}


def run_crawl(
    tmp_path: Path,
    *,
    site: str | None = "maghress",
    settings: dict[str, str] | None = None,
    output: str | None = "out.jsonl",
    timeout: float = 120,
    **arguments: str,
) -> CrawlResult:
    """A real `scrapy crawl aggregator` in a subprocess, from the project directory.

    `output=None` gives no -O: the run writes the dataset layout under `tmp_path/data`, and
    `records`/`rejects` are read from every published file there. The state file is
    `tmp_path/state.sqlite3` unless `settings` names another, never the user's own."""
    command = crawl_command(tmp_path, site=site, settings=settings, output=output, **arguments)
    done = subprocess.run(
        command,
        cwd=REPO,
        env=crawl_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if output is None:
        out = tmp_path / "data"
        records = [
            row
            for path in sorted(out.glob("*/*/*.jsonl*"))
            if ".rejects." not in path.name and not path.name.endswith(".partial")
            for row in read_jsonl(path)
        ]
        rejects = [
            row for path in sorted(out.glob("*/*/*.rejects.jsonl")) for row in read_jsonl(path)
        ]
    else:
        out = tmp_path / output
        records = read_jsonl(out)
        rejects = read_jsonl(out.with_name(f"{out.name.split('.', 1)[0]}.rejects.jsonl"))
    return CrawlResult(
        returncode=done.returncode,
        records=records,
        rejects=rejects,
        log=done.stderr + done.stdout,
        output=out,
    )


def crawl_command(
    tmp_path: Path,
    *,
    site: str | None = "maghress",
    settings: dict[str, str] | None = None,
    output: str | None = "out.jsonl",
    **arguments: str,
) -> list[str]:
    """`scrapy crawl aggregator` with fast settings; the dataset root is `tmp_path/data`."""
    command = [*SCRAPY, "crawl", "aggregator"]
    if output is not None:
        command += ["-O", str(tmp_path / output)]
    if site is not None:
        command += ["-a", f"site={site}"]
    for name, value in arguments.items():
        command += ["-a", f"{name}={value}"]
    data_dir = {"NEWSAGG_DATA_DIR": str(tmp_path / "data")}
    state = {"NEWSAGG_STATE": str(tmp_path / "state.sqlite3")}
    for name, value in {**FAST_SETTINGS, **data_dir, **state, **(settings or {})}.items():
        command += ["-s", f"{name}={value}"]
    return command


def crawl_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Rows of a JSON Lines file, gzipped or not; [] if there is no such file."""
    if not path.exists():
        return []
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def listing_html(links: list[str], next_href: str | None = None, *, how: str = "rel") -> str:
    """A listing page linking to `links`; the next page announced the way `how` says:
    "rel" (<link rel=next>), "arrow" (a.nav-btn.left), or a link text ("Suivant", "التالي")."""
    items = "".join(f'<li><a href="{href}">Article {i}</a></li>' for i, href in enumerate(links))
    head = nav = ""
    if next_href is not None:
        if how == "rel":
            head = f'<link rel="next" href="{next_href}">'
        elif how == "arrow":
            nav = (
                '<a class="nav-btn right" href="/prev">«</a>'
                f'<a class="nav-btn left" href="{next_href}">»</a>'
            )
        else:
            nav = f'<a href="{next_href}">{how}</a>'
    return (
        f"<html><head><title>Maghress</title>{head}</head><body>"
        f'<a href="/">Maghress</a><ul>{items}</ul><div>{nav}</div></body></html>'
    )


def crawler_with_context(settings: dict[str, Any] | None = None, **arguments: str) -> Any:
    """A Scrapy crawler of the aggregator with the project's settings (plus `settings`) and an
    opened RunContext on an in-memory state: for testing one component outside a crawl."""
    from scrapy.crawler import Crawler
    from scrapy.utils.project import get_project_settings

    from newsagg.run import RunContext
    from newsagg.spiders.aggregator import AggregatorSpider

    project = get_project_settings()
    project.setdict({"NEWSAGG_STATE": ":memory:", **(settings or {})}, priority="cmdline")
    crawler = Crawler(AggregatorSpider, project)
    context = RunContext.open(crawler.settings, {"site": "maghress", **arguments})
    context.attach(crawler)
    return crawler
