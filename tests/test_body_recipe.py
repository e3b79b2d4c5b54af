"""The body recipe: its strategies in order, and the page each one is for."""

from __future__ import annotations

import pytest
from parsel import Selector

from newsagg.extract.article import extract_article
from newsagg.extract.body import RECIPE
from newsagg.sites.profiles import load_profile

MAGHRESS = load_profile("maghress")
PROSE = "Le texte de l'article tient en une phrase assez longue pour être de la prose."
LINE = "<p>Publié dans L'opinion le 19 - 01 - 2022</p>"
SOURCE = "<p><a href='https://o.ma/1'>Cliquez ici pour lire l'article depuis sa source</a></p>"
RELATED = "<div class='related'><h3>Lire aussi</h3><p><a href='/fr/x/2'>Autre</a></p></div>"


def test_the_recipe_tries_the_anchors_first_and_the_markup_hints_last() -> None:
    assert [strategy.__name__ for strategy in RECIPE] == [
        "between_published_line_and_source_link",
        "headline_to_published_line",
        "published_line_to_end_marker",
        "profile_selectors",
        "jsonld_article_body",
    ]


@pytest.mark.parametrize(
    ("body", "method"),
    [
        (f"<h1>Titre</h1>{LINE}<p>{PROSE}</p>{SOURCE}", "published_to_source"),
        (
            f"<article><h1>Titre</h1>{LINE}<p>{PROSE}</p></article>{RELATED}<p>Pied de page.</p>",
            "published_onward",
        ),
        (f"<h1>Titre</h1><p>{PROSE}</p><p>{PROSE}</p>{LINE}<p>Menu</p>", "title_to_published"),
        (
            f"<h1>Titre</h1><div class='entry-content'><p>{PROSE}</p></div>",
            "selector:div.entry-content",
        ),
        (
            "<h1>Titre</h1><script type='application/ld+json'>"
            f'{{"@type": "NewsArticle", "headline": "Titre", "articleBody": "{PROSE}"}}</script>',
            "jsonld",
        ),
    ],
)
def test_each_strategy_finds_the_body_its_page_holds(body: str, method: str) -> None:
    page = Selector(text=f"<html><head><title>Titre</title></head><body>{body}</body></html>")
    found = extract_article(page, MAGHRESS, url="https://www.maghress.com/fr/lopinion/1")
    assert (found.paragraphs, found.body_method) == ((PROSE,) * (body.count(PROSE)), method)
