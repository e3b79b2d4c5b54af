"""The spider through real crawls: what it follows, what it fetches once, how it fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsagg.sample.build import article_page
from tests.conftest import LocalSite, listing_html, run_crawl


def french_article(number: int, day: str = "19 - 01 - 2022", outlet: str = "L'opinion") -> str:
    return article_page(
        {
            "title": f"Titre de l'article {number}",
            "line": f"Publié dans {outlet} le {day}",
            "source_url": f"https://www.lopinion.ma/article-{number}.html",
            "body": [f"Premier paragraphe de l'article {number}.", "Second paragraphe."],
            "read_at_source": "Cliquez ici pour lire l'article depuis sa source.",
        },
        ticker=["Un titre du ticker", "Un autre titre"],
        lang="fr",
    )


def add_articles(site: LocalSite, numbers: range, slug: str = "lopinion") -> list[str]:
    paths = []
    for number in numbers:
        path = f"/fr/{slug}/{number}"
        site.add(path, french_article(number))
        paths.append(path)
    return paths


@pytest.mark.parametrize("how", ["rel", "arrow", "Suivant", "التالي", "Next"])
def test_pagination_is_followed_whichever_way_it_is_announced(
    local_site: LocalSite, tmp_path: Path, how: str
) -> None:
    first = add_articles(local_site, range(1001, 1003))
    second = add_articles(local_site, range(1003, 1005))
    local_site.add("/fr/", listing_html(first, "/fr/page/2", how=how))
    local_site.add("/fr/page/2", listing_html(second))

    result = run_crawl(tmp_path, start_urls=f"{local_site.base_url}/fr/")

    assert result.returncode == 0
    assert sorted(r["id"] for r in result.records) == [
        "maghress:lopinion:1001",
        "maghress:lopinion:1002",
        "maghress:lopinion:1003",
        "maghress:lopinion:1004",
    ]
    assert local_site.hits("/prev") == 0


def test_max_pages_limits_pagination_depth(local_site: LocalSite, tmp_path: Path) -> None:
    pages = [add_articles(local_site, range(2000 + 10 * n, 2000 + 10 * n + 2)) for n in range(3)]
    local_site.add("/fr/", listing_html(pages[0], "/fr/page/2"))
    local_site.add("/fr/page/2", listing_html(pages[1], "/fr/page/3"))
    local_site.add("/fr/page/3", listing_html(pages[2]))

    result = run_crawl(tmp_path, start_urls=f"{local_site.base_url}/fr/", max_pages="2")

    assert sorted(r["id"] for r in result.records) == [
        "maghress:lopinion:2000",
        "maghress:lopinion:2001",
        "maghress:lopinion:2010",
        "maghress:lopinion:2011",
    ]
    assert local_site.hits("/fr/page/3") == 0


def test_tracking_tagged_links_fetch_an_article_once(local_site: LocalSite, tmp_path: Path) -> None:
    add_articles(local_site, range(3001, 3002))
    links = [
        "/fr/lopinion/3001",
        "/fr/lopinion/3001?utm_source=facebook&utm_medium=social",
        "/fr/lopinion/3001#comments",
        "/fr/lopinion/3001/?fbclid=abc",
    ]
    local_site.add("/fr/", listing_html(links, "/fr/?page=2&utm_campaign=x"))
    local_site.add("/fr/?page=2", listing_html(["/fr/lopinion/3001?gclid=zz"]))

    result = run_crawl(tmp_path, start_urls=f"{local_site.base_url}/fr/")

    assert [r["url"] for r in result.records] == [f"{local_site.base_url}/fr/lopinion/3001"]
    article_requests = [p for p in local_site.requests if p.startswith("/fr/lopinion/")]
    assert article_requests == ["/fr/lopinion/3001"]
    assert local_site.hits("/fr/?page=2") == 1


def test_only_article_links_on_the_crawl_host_are_followed(
    local_site: LocalSite, tmp_path: Path
) -> None:
    add_articles(local_site, range(4001, 4002))
    links = [
        "/fr/lopinion/4001",
        "/fr/tag/maroc",
        "/fr/author/karim",
        "/fr/search?q=maroc",
        "/fr/contact",
        "https://www.lopinion.ma/fr/lopinion/4002",
        "/fr/page/2",  # not an article: "page" is never an outlet slug
        "/de/lopinion/4003",  # no German edition
    ]
    local_site.add("/fr/", listing_html(links))

    result = run_crawl(tmp_path, start_urls=f"{local_site.base_url}/fr/")

    assert [r["id"] for r in result.records] == ["maghress:lopinion:4001"]
    assert sorted(local_site.requests) == ["/fr/", "/fr/lopinion/4001", "/robots.txt"]


def test_article_pages_are_not_mined_for_links(local_site: LocalSite, tmp_path: Path) -> None:
    # The article page's ticker and related links point at other articles: not followed.
    page = french_article(5001).replace("</body>", '<a href="/fr/lopinion/5002">Related</a></body>')
    local_site.add("/fr/lopinion/5001", page)
    add_articles(local_site, range(5002, 5003))
    local_site.add("/fr/", listing_html(["/fr/lopinion/5001"]))

    result = run_crawl(tmp_path, start_urls=f"{local_site.base_url}/fr/")

    assert [r["id"] for r in result.records] == ["maghress:lopinion:5001"]
    assert local_site.hits("/fr/lopinion/5002") == 0


def test_redirect_gives_the_final_canonical_url(local_site: LocalSite, tmp_path: Path) -> None:
    add_articles(local_site, range(6002, 6003))
    local_site.redirect("/fr/lopinion/6001", "/fr/lopinion/6002?utm_source=rss")
    local_site.add("/fr/lopinion/6002?utm_source=rss", french_article(6002))
    local_site.add("/fr/", listing_html(["/fr/lopinion/6001"]))

    result = run_crawl(tmp_path, start_urls=f"{local_site.base_url}/fr/")

    assert [(r["id"], r["url"]) for r in result.records] == [
        ("maghress:lopinion:6002", f"{local_site.base_url}/fr/lopinion/6002")
    ]


def test_server_error_is_retried_until_the_page_comes(
    local_site: LocalSite, tmp_path: Path
) -> None:
    local_site.fail_then_serve("/fr/lopinion/7001", french_article(7001), failures=2)
    local_site.add("/fr/", listing_html(["/fr/lopinion/7001"]))

    result = run_crawl(tmp_path, start_urls=f"{local_site.base_url}/fr/")

    assert [r["id"] for r in result.records] == ["maghress:lopinion:7001"]
    assert local_site.hits("/fr/lopinion/7001") == 3
    assert result.rejects == []


def test_missing_pages_loops_and_bad_pages_become_counted_rejects(
    local_site: LocalSite, tmp_path: Path
) -> None:
    add_articles(local_site, range(8001, 8002))
    local_site.redirect("/fr/lopinion/8003", "/fr/lopinion/8003", status=302)
    local_site.add("/fr/lopinion/8004", "<html><body><h1>Sans date</h1><p>Texte.</p></body></html>")
    local_site.add("/fr/lopinion/8005", "<html><body><p>", status=200)
    local_site.routes["/fr/lopinion/8006"] = (500, {"Content-Type": "text/html"}, b"down")
    links = [f"/fr/lopinion/{n}" for n in range(8001, 8007)]
    local_site.add("/fr/", listing_html(links))

    result = run_crawl(
        tmp_path,
        start_urls=f"{local_site.base_url}/fr/",
        settings={"REDIRECT_MAX_TIMES": "3", "RETRY_TIMES": "1"},
    )

    # Every loss is recorded, and the run is reported unhealthy: 2 of 7 pages answered an
    # HTTP error, over the 20 % threshold (exit code 11, see README "Health checks").
    assert result.returncode == 11
    assert [r["id"] for r in result.records] == ["maghress:lopinion:8001"]
    base = local_site.base_url
    assert sorted((row["url"], row["reason"]) for row in result.rejects) == [
        (f"{base}/fr/lopinion/8002", "http_404"),
        (f"{base}/fr/lopinion/8003", "redirect_loop"),
        (f"{base}/fr/lopinion/8004", "missing_published"),
        (f"{base}/fr/lopinion/8005", "missing_published"),
        (f"{base}/fr/lopinion/8006", "http_500"),
    ]
    no_date = next(row for row in result.rejects if row["url"].endswith("/8004"))
    assert no_date["found"]["title"] == "Sans date"
    assert no_date["site"] == "maghress"
    assert "2 articles written" not in result.log
    assert "1 articles written, 5 rejected" in result.log


def test_since_drops_older_articles_and_stops_paginating(
    local_site: LocalSite, tmp_path: Path
) -> None:
    local_site.add("/fr/lopinion/9003", french_article(9003, day="10 - 03 - 2024"))
    local_site.add("/fr/lopinion/9002", french_article(9002, day="28 - 02 - 2024"))
    local_site.add("/fr/lopinion/9001", french_article(9001, day="01 - 02 - 2024"))
    local_site.add("/fr/", listing_html(["/fr/lopinion/9003", "/fr/lopinion/9002"], "/fr/page/2"))
    local_site.add("/fr/page/2", listing_html(["/fr/lopinion/9001"]))

    result = run_crawl(tmp_path, start_urls=f"{local_site.base_url}/fr/", since="2024-03-01")

    assert [r["id"] for r in result.records] == ["maghress:lopinion:9003"]
    assert local_site.hits("/fr/page/2") == 0
    assert result.rejects == []


def test_lang_and_sources_narrow_what_is_followed(local_site: LocalSite, tmp_path: Path) -> None:
    add_articles(local_site, range(9101, 9102), slug="lopinion")
    add_articles(local_site, range(9102, 9103), slug="lematin")
    local_site.add("/es/europapress/9103", "<html></html>")
    links = ["/fr/lopinion/9101", "/fr/lematin/9102", "/es/europapress/9103"]
    local_site.add("/", listing_html(links))

    result = run_crawl(tmp_path, start_urls=f"{local_site.base_url}/", lang="fr", sources="lematin")

    assert [r["id"] for r in result.records] == ["maghress:lematin:9102"]
    assert local_site.hits("/es/europapress/9103") == 0
    assert local_site.hits("/fr/lopinion/9101") == 0


def test_robots_txt_is_obeyed(local_site: LocalSite, tmp_path: Path) -> None:
    add_articles(local_site, range(9201, 9203))
    local_site.add(
        "/robots.txt", "User-agent: *\nDisallow: /fr/lopinion/9202\n", content_type="text/plain"
    )
    local_site.add("/fr/", listing_html(["/fr/lopinion/9201", "/fr/lopinion/9202"]))

    result = run_crawl(tmp_path, start_urls=f"{local_site.base_url}/fr/")

    assert [r["id"] for r in result.records] == ["maghress:lopinion:9201"]
    assert local_site.hits("/fr/lopinion/9202") == 0
    assert [row["reason"] for row in result.rejects] == ["robots_forbidden"]


def test_a_start_url_that_is_an_article_is_crawled_as_one(
    local_site: LocalSite, tmp_path: Path
) -> None:
    page = french_article(9301).replace("</body>", '<a href="/fr/lopinion/9302">Related</a></body>')
    local_site.add("/fr/lopinion/9301", page)
    add_articles(local_site, range(9302, 9303))

    result = run_crawl(tmp_path, start_urls=f"{local_site.base_url}/fr/lopinion/9301?utm_source=x")

    assert [r["id"] for r in result.records] == ["maghress:lopinion:9301"]
    assert local_site.hits("/fr/lopinion/9302") == 0
