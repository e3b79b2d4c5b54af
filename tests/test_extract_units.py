"""Pure extraction helpers: dates, text cleaning, URL canonicalization, published lines."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import pytest
from parsel import Selector

from newsagg.extract.blocks import Block
from newsagg.extract.boilerplate import ParagraphFilter, element_checker
from newsagg.extract.dates import parse_date
from newsagg.extract.published import find_published_line, parse_published_line
from newsagg.extract.source_link import find_source_link
from newsagg.extract.text import (
    clean_text,
    fold_for_match,
    has_raw_spelling,
    normalize_for_hash,
    raw_spelling,
)
from newsagg.extract.title import strip_site_name
from newsagg.extract.url import canonical_url
from newsagg.sites.profiles import load_profile

MAGHRESS = load_profile("maghress")


@pytest.mark.parametrize(
    ("raw", "expected", "method"),
    [
        ("19 - 01 - 2022", date(2022, 1, 19), "fast"),
        ("١٩ - ٠١ - ٢٠٢٢", date(2022, 1, 19), "fast"),
        ("05/03/2021", date(2021, 3, 5), "fast"),
        ("31 - 02 - 2022", None, "fast"),
        ("7 mars 2023", date(2023, 3, 7), "months"),
        ("1er janvier 2022", date(2022, 1, 1), "months"),
        ("7 de marzo de 2023", date(2023, 3, 7), "months"),
        ("12 يناير 2021", date(2021, 1, 12), "months"),
        ("٧ مارس ٢٠٢٣", date(2023, 3, 7), "months"),
        ("9 غشت 2023", date(2023, 8, 9), "months"),  # Moroccan
        ("14 جويلية 2022", date(2022, 7, 14), "months"),  # Algerian/Tunisian
        ("٢ آذار ٢٠٢١", date(2021, 3, 2), "months"),  # Levantine
        ("12 كانون الثاني 2020", date(2020, 1, 12), "months"),
        ("31 février 2022", None, "months"),
        ("lundi 7 mars 2023", date(2023, 3, 7), "dateparser"),
        ("mars 2023", None, "dateparser"),
        ("7 janv. 2023", date(2023, 1, 7), "months"),
    ],
)
def test_dates_are_day_first_and_never_guessed(
    raw: str, expected: date | None, method: str
) -> None:
    assert parse_date(raw, MAGHRESS.dates, ("ar", "fr", "es")) == (expected, method)


@pytest.mark.parametrize(
    ("line", "outlet", "date_raw", "language"),
    [
        ("Publié dans L'opinion le 19 - 01 - 2022", "L'opinion", "19 - 01 - 2022", "fr"),
        (
            "Publié dans Aujourd'hui le Maroc le 7 mars 2023",
            "Aujourd'hui le Maroc",
            "7 mars 2023",
            "fr",
        ),
        (
            "Publié\u00a0dans  Le Matin le 05 - 03 - 2021 à 10:30",
            "Le Matin",
            "05 - 03 - 2021",
            "fr",
        ),
        ("Publicado en Europa Press el 02 - 06 - 2023", "Europa Press", "02 - 06 - 2023", "es"),
        ("نشر في هسبريس يوم ١٤ - ٠٣ - ٢٠٢٣", "هسبريس", "١٤ - ٠٣ - ٢٠٢٣", "ar"),
    ],
)
def test_published_line_gives_outlet_and_date(
    line: str, outlet: str, date_raw: str, language: str
) -> None:
    parsed = parse_published_line(line, MAGHRESS.language_profiles)
    assert parsed is not None
    assert (parsed.outlet, parsed.date_raw, parsed.language) == (outlet, date_raw, language)


def test_a_line_without_a_date_is_not_a_published_line() -> None:
    assert parse_published_line("Publié dans L'opinion", MAGHRESS.language_profiles) is None


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  Le\u00a0\u00a0Maroc\u200b  gagne ", "Le Maroc gagne"),
        ("Ã‰tÃ© Ã  Rabat", "Été à Rabat"),
        ("lâ€™Ã©tÃ© â€œchaudâ€\x9d", "l’été “chaud”"),  # repaired, quotes kept curly
        ("caf&eacute; cr&#232;me", "café crème"),  # double-escaped in the page
        ("e\u0301te\u0301", "été"),  # NFC
        ("\ufeffبسم\u200c الله", "بسم الله"),
        ("\u3000Le\u202f:\u2009«\u00a0Maroc\u00a0»\n\tgag\u00adne\u205f", "Le : « Maroc » gagne"),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (
            "HTTP://WWW.Maghress.com:80/fr/?utm_source=x&page=2&fbclid=y#top",
            "http://www.maghress.com/fr/?page=2",
        ),
        ("https://www.maghress.com/fr/?b=2&a=1", "https://www.maghress.com/fr/?a=1&b=2"),
    ],
)
def test_canonical_url_drops_tracking_and_fragments(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


@pytest.mark.parametrize(
    ("title", "stripped"),
    [
        ("Crise ukrainienne : Dernier ballet - Maghress", "Crise ukrainienne : Dernier ballet"),
        ("Maghress : Crise ukrainienne", "Crise ukrainienne"),
        ("مغرس - الحكومة تعلن", "الحكومة تعلن"),
        ("Le Maghress des idées", "Le Maghress des idées"),
    ],
)
def test_site_name_is_stripped_from_titles(title: str, stripped: str) -> None:
    assert strip_site_name(title, MAGHRESS) == stripped


def test_published_line_is_found_whatever_space_its_opening_words_have() -> None:
    page = Selector(
        text="<html><body><p>Publié hier, modifié aujourd'hui</p><div class='related'>"
        "<p>Publié dans Le Matin le 01 - 01 - 2020</p></div>"
        "<p><span>Publié\u00a0dans</span> L'opinion le 19 - 01 - 2022</p></body></html>"
    )
    found = find_published_line(page.root, MAGHRESS, element_checker(MAGHRESS))
    assert found is not None
    assert (found.line.outlet, found.line.date_raw) == ("L'opinion", "19 - 01 - 2022")


@pytest.mark.parametrize(
    "body",
    [
        "Un paragraphe.\n\nUn autre, « cité ».",
        "«\n\n»",
        "a\n\n\n\nb",
        "e\n\n\u0301té",  # a combining accent after a blank line
        "ｶ\u3099 ﬁn\n\n¹ Ⅻ",  # NFKC compositions and compatibility forms
        "",
    ],
)
def test_hash_text_folds_the_whole_body_paragraph_by_paragraph(body: str) -> None:
    assert normalize_for_hash(body) == fold_for_match(unicodedata.normalize("NFKC", body))


@pytest.mark.parametrize(
    ("line", "href"),
    [
        # harakat, another alef form and ta marbuta: the fold makes them the wording
        ("<p><a href='https://o.ma/1'>اضغط هنا</a> لقِراءة الخبر مِن مَصدرةِ</p>", "https://o.ma/1"),
        ("<p>LIRE L'ARTICLE DEPUIS SA SOURCE : <a href='https://o.fr/2'>ici</a></p>", "https://o.fr/2"),
        # mojibake (UTF-8 read as cp1252): the hint cannot see it, the full reading does
        ("<p><a href='https://o.es/3'>Ù„Ù‚Ø±Ø§Ø¡Ø© Ø§Ù„Ø®Ø¨Ø± Ù…Ù† Ù…ØµØ¯Ø±Ù‡</a></p>",
         "https://o.es/3"),
    ],
)  # fmt: skip
def test_read_at_source_link_is_found_however_its_wording_is_spelled(line: str, href: str) -> None:
    page = Selector(
        text=f"<html><body><p><a href='/fr/x/1'>Lire aussi</a></p><p>Texte.</p>{line}"
        "<a href='https://facebook.com/x'>Partager</a></body></html>"
    )
    found = find_source_link(page.root, MAGHRESS)
    assert found is not None
    assert found.href == href


def test_published_line_in_the_pages_own_language_comes_first() -> None:
    page = Selector(
        text="<html><body><p>نشر في هسبريس يوم 02 - 03 - 2021</p>"
        "<p>Publié dans L'opinion le 19 - 01 - 2022</p></body></html>"
    )
    checker = element_checker(MAGHRESS)
    french = find_published_line(page.root, MAGHRESS, checker, language="fr")
    arabic = find_published_line(page.root, MAGHRESS, checker, language="ar")
    anyone = find_published_line(page.root, MAGHRESS, checker)
    assert french is not None
    assert arabic is not None
    assert anyone is not None
    assert (french.line.outlet, french.line.language) == ("L'opinion", "fr")
    assert (arabic.line.outlet, arabic.line.language) == ("هسبريس", "ar")
    assert anyone.line.outlet == "هسبريس"  # no language: the first in the page


def test_read_at_source_link_after_the_published_line_comes_first() -> None:
    page = Selector(
        text="<html><body><ul class='menu'><li><a href='https://a.fr/1'>Lire l'article depuis sa"
        " source</a></li></ul><p>Publié dans L'opinion le 19 - 01 - 2022</p><p>Texte.</p>"
        "<p><a href='https://o.fr/2'>Cliquez ici pour lire l'article depuis sa source.</a></p>"
        "</body></html>"
    )
    line = find_published_line(page.root, MAGHRESS, element_checker(MAGHRESS))
    assert line is not None
    after = find_source_link(page.root, MAGHRESS, after=line.element)
    anywhere = find_source_link(page.root, MAGHRESS)
    assert after is not None
    assert anywhere is not None
    assert (after.href, anywhere.href) == ("https://o.fr/2", "https://a.fr/1")


def test_a_wording_inside_a_sentence_is_not_the_published_line() -> None:
    page = Selector(
        text="<html><body><h1>نظام جديد</h1><p>وكان نص النظام قد نشر في جريدة أم القرى يوم"
        " 16 - 06 - 2023، على أن يعمل به بعد تسعين يوما.</p>"
        "<p>الرياض | نشر في الوطن يوم 20 - 06 - 2023</p></body></html>"
    )
    found = find_published_line(page.root, MAGHRESS, element_checker(MAGHRESS), language="ar")
    assert found is not None
    assert (found.line.outlet, found.line.date_raw) == ("الوطن", "20 - 06 - 2023")


@pytest.mark.parametrize(
    ("text", "tag", "reason"),
    [
        ("بقلم سامح عبد الحميد", "p", "byline"),
        ("بقلم: سامح عبد الحميد", "h3", "byline"),
        ("بقلم القصب على ورق البردي", "h3", None),  # a subheading, not a name
        ("Par Karim Dupont", "p", "byline"),
        ("Par région, le Cap Bon en tête", "h3", None),
        ("Propos-recueillis-par Karim Dupont", "h4", None),  # fewer words than the marker
    ],
)
def test_a_heading_is_a_byline_only_with_a_colon(text: str, tag: str, reason: str | None) -> None:
    block = Block(raw=text, text=text, tag=tag)
    assert ParagraphFilter(MAGHRESS).reason_to_drop(block) == reason


@pytest.mark.parametrize("raw", ["مَصدرةِ", "مصدره", "مـصـدره", "اقرأ", "إقرا", "SOURCE"])
def test_raw_spelling_finds_every_spelling_that_folds_to_the_word(raw: str) -> None:
    word = fold_for_match(raw)
    assert has_raw_spelling(word)
    assert re.search(raw_spelling(word), f"… {raw.lower()} …")


def test_accented_latin_has_no_raw_spelling() -> None:
    assert not has_raw_spelling(fold_for_match("dépêche"))
