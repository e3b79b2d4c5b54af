"""A small French maghress-like site for dedupe tests: articles with long, distinct bodies,
near-copies of them, and newest-first listing pages with a ticker, served by `LocalSite`."""

from __future__ import annotations

import html
import random
from dataclasses import dataclass, field, replace

from tests.conftest import LocalSite

_VOCABULARY = """
gouvernement ministre projet réforme budget économie croissance région conseil commune
marché emploi jeunes entreprise banque investissement port agriculture récolte pluie
barrage eau électricité énergie solaire vent route autoroute train gare aéroport tourisme
hôtel saison visiteurs santé hôpital médecin vaccin école université étudiant examen
diplôme culture festival musique cinéma théâtre livre sport football équipe match victoire
défaite saison entraîneur joueur stade public presse journal rapport enquête tribunal juge
décision loi parlement député séance vote majorité opposition parti élection campagne
citoyen association syndicat grève salaire prix inflation dirham euro dollar export import
commerce accord partenaire visite délégation sommet coopération sécurité police frontière
migration climat sécheresse forêt incendie protection nature
"""
_LINKERS = "le la les un une des du de et à pour avec dans sur par selon après avant"
WORDS = tuple(_VOCABULARY.split())
LINKERS = tuple(_LINKERS.split())


def sentence(rng: random.Random) -> str:
    words = [
        rng.choice(WORDS) if i % 2 == 0 else rng.choice(LINKERS) for i in range(rng.randint(14, 20))
    ]
    return " ".join(words).capitalize() + "."


def body(seed: int, sentences: int = 28) -> list[str]:
    """Four paragraphs of distinct random sentences (about 480 words in all)."""
    rng = random.Random(seed)
    lines = [sentence(rng) for _ in range(sentences)]
    step = sentences // 4
    return [" ".join(lines[i : i + step]) for i in range(0, sentences, step)]


def new_lead(paragraphs: list[str], seed: int) -> list[str]:
    """The syndicated copy: another lead sentence."""
    first = paragraphs[0].split(". ", 1)[1]
    return [sentence(random.Random(seed)) + " " + first, *paragraphs[1:]]


def edit_two_sentences(paragraphs: list[str]) -> list[str]:
    """The syndicated copy: one word changed in two sentences."""
    edited = list(paragraphs)
    for index in (1, 3):
        words = edited[index].split(" ")
        words[5] = "exceptionnellement"
        edited[index] = " ".join(words)
    return edited


@dataclass(frozen=True)
class Story:
    num: int
    title: str
    paragraphs: list[str]
    outlet: str = "L'opinion"
    slug: str = "lopinion"
    day: str = "19 - 01 - 2022"

    @property
    def path(self) -> str:
        return f"/fr/{self.slug}/{self.num}"

    def html(self) -> str:
        text = "<br>\n".join(html.escape(p) for p in self.paragraphs)
        title = html.escape(self.title)
        return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>{title} - Maghress</title>
<meta property="og:title" content="{title}"></head>
<body><div class="header"><a href="/fr/">Maghress</a></div>
<span class="articletitle">{title}</span><br>
<span class="articlenewspaper">Publié dans {html.escape(self.outlet)} le {self.day}</span><br>
<span class="articlecontent">{text}</span><br><br>
<a href="https://www.lopinion.ma/a{self.num}.html">Cliquez ici pour lire l'article depuis sa
source.</a>
<div class="footer">© Maghress</div></body></html>"""


def story(num: int, seed: int | None = None, **fields: object) -> Story:
    """An original article with its own text."""
    made = Story(num=num, title=f"Article {num}", paragraphs=body(seed if seed else num))
    return replace(made, **fields)  # type: ignore[arg-type]


@dataclass
class Newsroom:
    """The stories of one site, listed newest first (highest number first), `per_page` a page,
    every listing page also carrying a ticker of the `ticker` newest stories."""

    stories: dict[int, Story] = field(default_factory=dict)
    per_page: int = 6
    ticker: int = 3
    order: list[int] | None = None  # listing order, if not newest first

    def add(self, *stories: Story) -> None:
        for item in stories:
            self.stories[item.num] = item

    def listed(self) -> list[Story]:
        nums = self.order if self.order is not None else sorted(self.stories, reverse=True)
        return [self.stories[num] for num in nums]

    def pages(self) -> list[str]:
        """Paths of the listing pages: /fr/, /fr/?page=2..."""
        count = max(1, -(-len(self.stories) // self.per_page))
        return ["/fr/", *(f"/fr/?page={n}" for n in range(2, count + 1))]

    def serve(self, site: LocalSite) -> None:
        """(Re)publish every story and listing page on `site`."""
        listed = self.listed()
        newest = sorted(self.stories.values(), key=lambda s: -s.num)[: self.ticker]
        ticker = "".join(f'<a href="{s.path}">{html.escape(s.title)}</a> ' for s in newest)
        pages = self.pages()
        for number, path in enumerate(pages):
            chunk = listed[number * self.per_page : (number + 1) * self.per_page]
            items = "".join(
                f'<li><a href="{s.path}">{html.escape(s.title)}</a></li>' for s in chunk
            )
            following = pages[number + 1] if number + 1 < len(pages) else None
            head = f'<link rel="next" href="{following}">' if following else ""
            site.add(
                path,
                f"<html><head><title>Maghress</title>{head}</head><body>"
                f'<div class="ticker">{ticker}</div><ul>{items}</ul></body></html>',
            )
        for item in self.stories.values():
            site.add(item.path, item.html())
