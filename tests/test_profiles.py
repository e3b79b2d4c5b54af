"""Every site profile loads, has a fixture page, and is in the README; mistakes are one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsagg.errors import ProfileError
from newsagg.extract.title import strip_site_name
from newsagg.extract.url import parse_article_url
from newsagg.sites import profiles
from newsagg.sites.profiles import known_sites, load_all_profiles, load_profile
from tests.conftest import PAGES, REPO

SHIPPED = ["djazairess", "maghress", "masress", "sauress", "sudaress", "turess", "yemeress"]
# The network's members as its footers name them.
ARABIC_NAMES = {
    "djazairess": "جزايرس",
    "maghress": "مغرس",
    "masress": "مصرس",
    "sauress": "سعورس",
    "sudaress": "سودارس",
    "turess": "تورس",
    "yemeress": "يمرس",
}


def test_the_seven_sites_are_shipped_and_valid() -> None:
    assert known_sites() == SHIPPED
    assert [profile.name for profile in load_all_profiles()] == SHIPPED


@pytest.mark.parametrize("name", known_sites())
def test_every_profile_has_a_fixture_and_a_readme_row(name: str) -> None:
    assert sorted((PAGES / name).glob("*.json")), f"no fixture page under {PAGES / name}"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"| {name} |" in readme


@pytest.mark.parametrize("name", SHIPPED)
def test_each_site_is_named_as_its_footer_names_it(name: str) -> None:
    profile = load_profile(name)
    assert profile.site_names[:2] == (name.capitalize(), ARABIC_NAMES[name])
    assert strip_site_name(f"عنوان الخبر - {ARABIC_NAMES[name]}", profile) == "عنوان الخبر"


def test_maghress_profile_reads_as_data() -> None:
    profile = load_profile("maghress")
    assert profile.host == "www.maghress.com"
    assert profile.languages == ("ar", "fr", "es")
    assert profile.listing_paths == ("/", "/fr/", "/es/")
    assert [lang.prefix for lang in profile.language_profiles] == ["", "/fr", "/es"]
    assert profile.language("fr").published_keywords == ("Publié dans",)


def test_every_languages_vocabulary_is_read_on_every_site() -> None:
    """sauress has only Arabic, yet a French pager or an English credit is still furniture."""
    profile = load_profile("sauress")
    assert [lang.code for lang in profile.language_profiles] == ["ar"]
    assert {"Suivant", "Next", "»"} <= set(profile.next_page_texts)
    assert "credit" in profile.vocabulary.credit_words
    assert profile.dates.months["juillet"] == profile.dates.months["تموز"] == 7


def test_profiles_name_their_news_agencies() -> None:
    agencies = {profile.name: profile.news_agencies for profile in load_all_profiles()}
    assert agencies == {
        "djazairess": {"aps"},
        "maghress": {"map"},
        "masress": {"mena"},
        "sauress": {"spa"},
        "sudaress": {"suna"},
        "turess": {"tap", "tapfr"},
        "yemeress": {"saba"},
    }


def test_reserved_segments_are_categories_site_pages_and_languages() -> None:
    profile = load_profile("maghress")
    menu = {"politics", "economics", "international", "sports", "society", "culture"}
    menu |= {"religion", "health", "video"}
    pages = {"rss", "widget", "advertisement", "about", "city", "author", "faces", "resources"}
    assert menu | pages | {"page", "tag", "ar", "fr", "es"} <= profile.reserved_segments
    assert not {"hespress", "lopinion"} & profile.reserved_segments
    assert profile.reserved_slugs < profile.reserved_segments
    assert [lang.author_path for lang in profile.language_profiles] == [
        "/author/",
        "/fr/author/",
        "/es/author/",
    ]
    assert profile.aliases == ()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.maghress.com/fr/lopinion/123", ("fr", "lopinion", 123)),
        ("https://www.maghress.com/hespress/456/", ("ar", "hespress", 456)),
        ("https://www.maghress.com/es/europapress/789", ("es", "europapress", 789)),
        ("https://www.maghress.com/ar/hespress/456", None),  # Arabic sits at the root
        ("https://www.maghress.com/de/spiegel/1", None),  # no German edition
        ("https://www.maghress.com/fr/page/2", None),
        ("https://www.maghress.com/fr/123", None),
        ("https://www.maghress.com/fr/lopinion", None),
    ],
)
def test_article_url_pattern(url: str, expected: tuple[str, str, int] | None) -> None:
    ref = parse_article_url(url, load_profile("maghress"))
    got = (ref.language, ref.source_slug, ref.article_id) if ref else None
    assert got == expected


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            'name = "x"\nbase_url = "https://x.com"\ndefault_language = "ar"\n'
            'languages = "ar"\nsite_names = ["X"]\n',
            "x.toml: languages: expected a list, got 'ar'",
        ),
        (
            'name = "x"\nbase_url = "https://x.com"\ndefault_language = "fr"\n'
            'languages = ["ar"]\nsite_names = ["X"]\n',
            "x.toml: default_language: 'fr' is not in languages",
        ),
        (
            'name = "x"\nbase_url = "x.com"\ndefault_language = "ar"\n'
            'languages = ["ar"]\nsite_names = ["X"]\n',
            "x.toml: base_url: expected an http(s) URL, got 'x.com'",
        ),
        (
            'name = "x"\nbase_url = "https://x.com"\ndefault_language = "ar"\n'
            'languages = ["ar"]\nsite_names = ["X"]\nlangs = ["fr"]\n',
            "x.toml: langs: unknown key; expected one of",
        ),
        (
            'name = "x"\nbase_url = "https://x.com"\ndefault_language = "de"\n'
            'languages = ["de"]\nsite_names = ["X"]\n',
            "x.toml: phrases.de: no phrases for this language in the template",
        ),
        ('name = "x"\nbase_url = ', "x.toml: not valid TOML"),
        (
            'name = "x"\nbase_url = "https://x.com"\ndefault_language = "ar"\n'
            'languages = ["ar"]\nsite_names = ["X"]\naliases = ["x.net"]\n',
            "x.toml: aliases: expected an http(s) URL, got 'x.net'",
        ),
        (
            'name = "x"\nbase_url = "https://x.com"\ndefault_language = "ar"\n'
            'languages = ["ar"]\nsite_names = ["X"]\nnever_follow = ["(["]\n',
            "x.toml: never_follow: bad regex '(['",
        ),
        (
            'name = "x"\nbase_url = "https://x.com"\ndefault_language = "ar"\n'
            'languages = ["ar"]\nsite_names = ["X"]\n[phrases.ar]\nreadalso = ["x"]\n',
            "x.toml: phrases.ar.readalso: unknown key; expected one of",
        ),
        (
            'name = "x"\nbase_url = "https://x.com"\ndefault_language = "ar"\n'
            'languages = ["ar"]\nsite_names = ["X"]\n[phrases.fr.months]\nnames = ["janvier"]\n',
            "x.toml: phrases.fr.months.names: expected twelve entries, January first",
        ),
        (
            'name = "x"\nbase_url = "https://x.com"\ndefault_language = "ar"\n'
            'languages = ["ar"]\nsite_names = ["X"]\n[phrases.fr.months]\n'
            'abbreviations = ["jan", "mar", [], [], [], [], [], [], [], [], [], []]\n',
            "x.toml: phrases.es.months.abbreviations: 'mar' is month 3 here and 2 in another list",
        ),
        (
            'name = "x"\nbase_url = "https://x.com"\ndefault_language = "ar"\n'
            'languages = ["ar"]\nsite_names = ["X"]\n'
            '[phrases.ar]\npublished = ["نشر (?P<outlet>.+)"]\n',
            "x.toml: phrases.ar.published: needs (?P<outlet>...) and (?P<date>{date})",
        ),
    ],
)
def test_a_broken_profile_stops_with_one_line_naming_file_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, message: str
) -> None:
    (tmp_path / "templates").mkdir()
    template = profiles.TEMPLATES_DIR / "ress.toml"
    (tmp_path / "templates" / "ress.toml").write_bytes(template.read_bytes())
    (tmp_path / "x.toml").write_text(content, encoding="utf-8")
    monkeypatch.setattr(profiles, "SITES_DIR", tmp_path)
    monkeypatch.setattr(profiles, "TEMPLATES_DIR", tmp_path / "templates")
    load_profile.cache_clear()
    try:
        with pytest.raises(ProfileError) as raised:
            load_profile("x")
    finally:
        load_profile.cache_clear()
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)
