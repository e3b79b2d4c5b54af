"""Serve a :class:`~benchmarks.sitegen.GeneratedSite` over HTTP on 127.0.0.1.

In code::

    with serve(GeneratedSite(seed=1, n_articles=20_000)) as base_url:
        ...  # crawl base_url + "/fr/"

From a shell (serves until Ctrl-C)::

    python -m benchmarks.server --articles 20000 --seed 1 --port 8000

With ``--prerender`` every article and listing page is rendered before serving starts and kept
in memory (~110 KB a page): a request then costs the HTTP exchange only, so a fast crawler
measures itself, not the generator (``benchmarks.run`` uses it for its fetch ceiling).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from benchmarks.sitegen import GeneratedSite, Page


class _SiteServer(ThreadingHTTPServer):
    """Threading server with a deep accept backlog (crawlers open many connections)."""

    daemon_threads = True
    request_queue_size = 1024

    def __init__(
        self, address: tuple[str, int], site: GeneratedSite, prerender: bool = False
    ) -> None:
        self.site = site
        self.pages = _render_all(site) if prerender else {}
        self.times: list[float] | None = None  # --times: when each request came
        super().__init__(address, _Handler)

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        """Ignore clients that hang up mid-response; report anything else."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    """Answers GET/HEAD from the generated site, with keep-alive and no access log."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes; avoid 40 ms stalls
    server: _SiteServer

    def _respond(self, with_body: bool) -> None:
        if self.server.times is not None:
            self.server.times.append(time.time())
        status, headers, body = self.server.pages.get(self.path) or self.server.site.page(self.path)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def do_GET(self) -> None:
        """Serve a page."""
        self._respond(with_body=True)

    def do_HEAD(self) -> None:
        """Serve a page's headers only."""
        self._respond(with_body=False)

    def log_message(self, format: str, *args: object) -> None:
        """Silence the per-request access log."""


def _render_all(site: GeneratedSite) -> dict[str, Page]:
    """Every article and listing page of ``site``, rendered, by path."""
    paths = [site.article_path(article_id) for article_id in site.article_ids()]
    paths += [
        site.listing_page_path(lang, page)
        for lang in site.languages
        for page in range(1, site.listing_page_count(lang) + 1)
    ]
    return {path: site.page(path) for path in paths}


@contextmanager
def serve(
    site: GeneratedSite, port: int = 0, prerender: bool = False, times: list[float] | None = None
) -> Iterator[str]:
    """Serve ``site`` from a daemon thread; yields the base URL (``http://127.0.0.1:PORT``).
    ``prerender`` renders every article and listing page first and serves them from memory;
    ``times`` gets the wall-clock time of every request."""
    server = _SiteServer(("127.0.0.1", port), site, prerender)
    server.times = times
    thread = threading.Thread(target=server.serve_forever, name="sitegen-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point: serve a generated site until interrupted."""
    parser = argparse.ArgumentParser(description="Serve a generated *ress aggregator site.")
    parser.add_argument("--articles", type=int, default=20_000, help="number of articles")
    parser.add_argument("--seed", type=int, default=1, help="generator seed")
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (0 = any)")
    parser.add_argument("--per-page", type=int, default=40, help="links per listing page")
    parser.add_argument(
        "--near-duplicate-every", type=int, default=0, help="every k-th article is a near-copy"
    )
    parser.add_argument(
        "--languages", default="ar,fr,es", help="comma-separated languages (ar, fr, es)"
    )
    parser.add_argument(
        "--prerender", action="store_true", help="render every page first, serve from memory"
    )
    parser.add_argument("--times", help="write each request's time (one a line) here at exit")
    args = parser.parse_args(argv)
    site = GeneratedSite(
        seed=args.seed,
        n_articles=args.articles,
        languages=tuple(args.languages.split(",")),
        per_page=args.per_page,
        near_duplicate_every=args.near_duplicate_every,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    times: list[float] | None = [] if args.times else None
    with serve(site, args.port, args.prerender, times) as base_url:
        print(f"Serving {args.articles} articles (seed {args.seed}) at {base_url}/", flush=True)
        print("Listings: " + ", ".join(base_url + p for p in site.listing_paths()), flush=True)
        with suppress(KeyboardInterrupt):
            stop.wait()
    if args.times and times is not None:
        with open(args.times, "w", encoding="utf-8") as out:  # noqa: PTH123
            out.writelines(f"{moment:.6f}\n" for moment in times)
    print("Stopped.", flush=True)


if __name__ == "__main__":
    main()
