"""The offline sample (README command 1) and the seed article the issue pins down."""

from __future__ import annotations

from pathlib import Path

from newsagg.sample.build import DEFAULT_SEED, article_page, seed_article
from tests.conftest import REPO, LocalSite, listing_html, run_crawl

SEED = (REPO / DEFAULT_SEED).resolve()
TICKER_HEADLINES = [
    "Sahara : la Pologne soutient officiellement le plan d'autonomie",
    "Revue de presse de ce mardi 21 octobre 2025",
    "Le temps qu'il fera ce lundi 20 octobre 2025",
]
SUBHEADINGS = [
    "Déploiement d'armes nucléaires au Bélarus",
    "L'Otan appelle à des réunions avec Moscou",
    "La réunion de la dernière chance",
]


def test_seed_article_crawled_from_a_local_server(local_site: LocalSite, tmp_path: Path) -> None:
    seed = seed_article(SEED)
    local_site.add("/fr/lopinion/3465234", article_page(seed, seed["ticker"], "fr"))
    local_site.add("/fr/", listing_html(["/fr/lopinion/3465234"]))

    result = run_crawl(tmp_path, start_urls=f"{local_site.base_url}/fr/")

    [record] = result.records
    assert record["title"] == (
        "Crise ukrainienne : Dernier ballet diplomatique pour sauver ce qui peut encore l'être"
    )
    assert record["source"] == "L'opinion"
    assert record["published"] == "2022-01-19"
    assert record["language"] == "fr"
    assert record["id"] == "maghress:lopinion:3465234"
    body = record["body"]
    assert body.startswith("Antony Blinken est arrivé mercredi à Kiev")
    assert body.endswith('une attaque en Ukraine".')
    paragraphs = body.split("\n\n")
    assert [p for p in paragraphs if p in SUBHEADINGS] == SUBHEADINGS
    assert len(paragraphs) == 19
    for unwanted in [
        *TICKER_HEADLINES,
        "Merci d'avoir signalé",
        "Cette image sera automatiquement bloquée",
        "Cliquez ici",
        "Publié dans",
    ]:
        assert unwanted not in body
    assert "\u00a0" not in body
    assert "  " not in body


def test_replay_sample_is_readme_command_one(tmp_path: Path) -> None:
    result = run_crawl(tmp_path, replay="sample", settings={"AUTOTHROTTLE_ENABLED": "1"})

    assert result.returncode == 0
    assert sorted((r["id"], r["language"], r["published"]) for r in result.records) == [
        ("maghress:europapress:2234567", "es", "2023-06-02"),
        ("maghress:hespress:5123456", "ar", "2023-03-14"),
        ("maghress:lematin:3465301", "fr", "2022-01-21"),
        ("maghress:lopinion:3465234", "fr", "2022-01-19"),
    ]
    assert result.rejects == []
    assert (tmp_path / "out.rejects.jsonl").read_text() == ""
    assert "4 articles written, 0 rejected" in result.log
    # UTF-8 on disk, not \\u escapes.
    assert "هسبريس" in result.output.read_text(encoding="utf-8")
