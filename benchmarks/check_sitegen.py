"""Self-check of the generated site: size, speed, determinism, memory and extraction fidelity.

Run with ``python -m benchmarks.check_sitegen`` from the project root; it prints the measured
numbers and exits non-zero (``AssertionError``) if a property does not hold.
"""

from __future__ import annotations

import gc
import random
import statistics
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import lxml.html
import psutil

from benchmarks.server import serve
from benchmarks.sitegen import ALT_DATE_RATE, GeneratedSite

SEED = 42
N_ARTICLES = 20_000
SAMPLE = 200
RSS_PAGES = 2_000
RSS_LIMIT_MB = 64


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _timed_pages(site: GeneratedSite, paths: list[str]) -> tuple[list[bytes], list[float]]:
    bodies, times = [], []
    for path in paths:
        start = time.perf_counter()
        status, _, body = site.page(path)
        times.append((time.perf_counter() - start) * 1000)
        assert status == 200, (path, status)
        bodies.append(body)
    return bodies, times


def check_size_and_speed(site: GeneratedSite, ids: list[int]) -> list[bytes]:
    """Page size distribution and generation time of sampled article and listing pages."""
    paths = [site.article_path(i) for i in ids]
    bodies, times = _timed_pages(site, paths)
    sizes = [len(b) / 1024 for b in bodies]
    print(
        f"article pages ({len(ids)} sampled): size KiB min/median/max = "
        f"{min(sizes):.1f} / {statistics.median(sizes):.1f} / {max(sizes):.1f}"
    )
    print(
        f"  generation ms (cold caches) mean/median/p95/max = {statistics.mean(times):.2f} / "
        f"{statistics.median(times):.2f} / {_pct(times, 0.95):.2f} / {max(times):.2f}"
    )
    _, warm = _timed_pages(site, paths)
    print(f"  generation ms (warm caches) median = {statistics.median(warm):.2f}")
    assert min(sizes) >= 50, "article pages should be ~60-120 KB"
    assert max(sizes) <= 130, "article pages should be ~60-120 KB"
    assert _pct(times, 0.95) < 10, "article generation should take a few ms"

    listing = [
        site.listing_page_path(lang, page)
        for lang in site.languages
        for page in random.Random(1).sample(range(1, site.listing_page_count(lang) + 1), 20)
    ]
    lbodies, ltimes = _timed_pages(site, listing)
    lsizes = [len(b) / 1024 for b in lbodies]
    print(
        f"listing pages ({len(listing)} sampled): size KiB min/max = {min(lsizes):.1f} / "
        f"{max(lsizes):.1f}; generation ms median/max = {statistics.median(ltimes):.2f} / "
        f"{max(ltimes):.2f}"
    )
    return bodies


def _identical(site: GeneratedSite, ids: list[int], bodies: list[bytes]) -> int:
    """How many of ``ids`` render to exactly the given bodies on ``site``."""
    return sum(site.page(site.article_path(i))[2] == b for i, b in zip(ids, bodies, strict=True))


def check_determinism(ids: list[int], bodies: list[bytes]) -> None:
    """Same seed gives the same bytes; another seed differs; growing keeps old articles."""
    twin = GeneratedSite(SEED, N_ARTICLES)
    assert _identical(twin, ids, bodies) == len(ids)
    for path in [*twin.listing_paths(), "/fr/?page=7", "/?page=100"]:
        assert twin.page(path) == GeneratedSite(SEED, N_ARTICLES).page(path)
    assert _identical(GeneratedSite(SEED + 1, N_ARTICLES), ids, bodies) == 0
    grown = GeneratedSite(SEED, N_ARTICLES + 5_000)
    assert _identical(grown, ids, bodies) == len(ids)
    newest = grown.n_articles
    listing = grown.page(grown.listing_page_path(grown.language(newest), 1))[2]
    assert grown.article_path(newest).encode() in listing
    print("determinism: same seed -> identical bytes; other seed -> different; growth keeps old")


def check_extraction(site: GeneratedSite, ids: list[int], bodies: list[bytes]) -> None:
    """The page HTML carries exactly what :meth:`GeneratedSite.expected` promises."""
    tickers = []
    for article_id, body in zip(ids, bodies, strict=True):
        exp = site.expected(article_id)
        doc = lxml.html.fromstring(body)
        assert doc.findtext(".//h1").strip() == exp["title"]
        assert doc.findtext(".//title") == f"{exp['title']} - Maghress"
        published = doc.xpath('string(//span[@class="post-date"])')
        assert exp["source"] in published
        assert published.endswith(exp["published_text"])
        blocks = doc.xpath('//div[@id="article_body"]/*[self::p or self::h2]')
        assert "\n\n".join(b.text_content() for b in blocks) == exp["body"]
        assert doc.xpath('string(//div[@class="source-link"]/a/@href)') == exp["source_url"]
        tickers.append(len(doc.xpath('//div[@id="ticker"]/a')))
    rate = sum(" - " not in site.meta(i).date_text for i in site.article_ids()) / site.n_articles
    print(
        f"extraction: {len(ids)} pages match expected(); ticker links min/max = "
        f"{min(tickers)}/{max(tickers)}; alternate date format rate = {rate:.3f} "
        f"(target {ALT_DATE_RATE})"
    )
    assert abs(rate - ALT_DATE_RATE) < 0.01


def _shingles(text: str, k: int = 5) -> set[tuple[str, ...]]:
    words = text.split()
    return {tuple(words[i : i + k]) for i in range(len(words) - k + 1)}


def check_near_duplicates() -> None:
    """Every k-th article is a near-copy of an older original from another outlet."""
    site = GeneratedSite(SEED, 3_000, near_duplicate_every=10)
    pairs = [(i, site.duplicate_source(i)) for i in site.article_ids()]
    dups = [(i, s) for i, s in pairs if s is not None]
    sims = []
    for dup, src in dups:
        a, b = site.expected(dup), site.expected(src)
        assert src < dup
        assert site.duplicate_source(src) is None
        assert a["language"] == b["language"]
        assert a["source_slug"] != b["source_slug"]
        assert a["body"] != b["body"]
        sa, sb = _shingles(a["body"]), _shingles(b["body"])
        sims.append(len(sa & sb) / len(sa | sb))
    rng = random.Random(3)
    unrelated = []
    for _ in range(300):
        x, y = rng.sample(range(1, 3001), 2)
        sa, sb = _shingles(site.expected(x)["body"]), _shingles(site.expected(y)["body"])
        unrelated.append(len(sa & sb) / len(sa | sb))
    print(
        f"near-duplicates: {len(dups)} of {site.n_articles}; 5-shingle Jaccard to source "
        f"min/median = {min(sims):.2f}/{statistics.median(sims):.2f}; unrelated pairs max = "
        f"{max(unrelated):.3f}"
    )


def check_memory() -> None:
    """RSS stays small while generating many distinct pages."""
    proc = psutil.Process()
    site = GeneratedSite(SEED + 7, N_ARTICLES)
    gc.collect()
    before = proc.memory_info().rss
    peak = before
    ids = random.Random(2).sample(range(1, N_ARTICLES + 1), RSS_PAGES)
    start = time.perf_counter()
    total = 0
    for n, article_id in enumerate(ids, 1):
        total += len(site.page(site.article_path(article_id))[2])
        if n % 100 == 0:
            peak = max(peak, proc.memory_info().rss)
    elapsed = time.perf_counter() - start
    growth = (peak - before) / 2**20
    print(
        f"memory: {RSS_PAGES} pages ({total / 2**20:.0f} MiB generated) in {elapsed:.1f}s "
        f"({elapsed / RSS_PAGES * 1000:.2f} ms/page); RSS {before / 2**20:.0f} -> "
        f"{peak / 2**20:.0f} MiB peak (+{growth:.1f} MiB)"
    )
    assert growth < RSS_LIMIT_MB


def check_server(site: GeneratedSite, ids: list[int]) -> None:
    """The HTTP server returns the same bytes as :meth:`GeneratedSite.page`."""
    paths = [site.article_path(i) for i in ids[:40]] + site.listing_paths() + ["/robots.txt"]

    def fetch(url: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(url, timeout=10) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()

    with serve(site) as base_url, ThreadPoolExecutor(16) as pool:
        start = time.perf_counter()
        results = list(pool.map(fetch, [base_url + p for p in paths]))
        elapsed = time.perf_counter() - start
        for path, (status, body) in zip(paths, results, strict=True):
            assert (status, body) == site.page(path)[::2], path
        assert fetch(base_url + "/no/such/page")[0] == 404
    print(
        f"server: {len(paths)} URLs fetched with 16 threads in {elapsed * 1000:.0f} ms, identical"
    )


def main() -> None:
    """Run every check and print the numbers."""
    start = time.perf_counter()
    site = GeneratedSite(SEED, N_ARTICLES)
    print(f"site: seed={SEED}, {N_ARTICLES} articles, languages={site.languages}")
    ids = random.Random(0).sample(list(site.article_ids()), SAMPLE)
    check_memory()  # first, so the baseline is not inflated by the other checks
    bodies = check_size_and_speed(site, ids)
    check_determinism(ids, bodies)
    check_extraction(site, ids, bodies)
    check_near_duplicates()
    check_server(site, ids)
    print(f"all checks passed in {time.perf_counter() - start:.1f}s")


if __name__ == "__main__":
    main()
