"""The month-name fast path gives what dateparser gives, for every name and every site."""

from __future__ import annotations

from datetime import date

from newsagg.extract.dates import MONTHS, _parser, parse_date
from newsagg.sites.profiles import load_all_profiles


def dateparser_day(text: str, languages: tuple[str, ...]) -> date | None:
    parsed = _parser(languages).get_date_data(text)
    return parsed.date_obj.date() if parsed.date_obj and parsed.period == "day" else None


def site_language_sets() -> set[tuple[str, ...]]:
    """The `languages` parse_date is called with: the line's language, then the site's."""
    return {
        tuple(dict.fromkeys((code, *profile.languages)))
        for profile in load_all_profiles()
        for code in profile.languages
    }


def spellings(language: str, name: str, day: int) -> list[str]:
    texts = [f"{day} {name} 2024", f"{day:02d}  {name.upper()}  1999"]
    if language == "fr":
        texts.append(f"{day}er {name} 2024")
    if language == "es":
        texts += [f"{day} de {name} de 2024", f"{day} {name} de 2024"]
    return texts


def test_month_names_are_read_as_dateparser_reads_them() -> None:
    names = [(lang, name) for lang, months in MONTHS.items() for name in months]
    assert len({name for _, name in names}) == len(names), "a name in two languages"
    checked = 0
    for languages in site_language_sets():
        for language, name in names:
            for day in (1, 29, 31):
                for text in spellings(language, name, day):
                    expected = dateparser_day(text, languages)
                    got, method = parse_date(text, languages)
                    assert (text, languages, got) == (text, languages, expected)
                    checked += 1
                    if language in languages and got is not None:
                        assert method == "fast", text
    assert checked > 1000


def test_other_shapes_still_go_to_dateparser() -> None:
    assert parse_date("1º de marzo de 2023", ("es",)) == (None, "dateparser")
    assert parse_date("7 mars 2023", ("ar",)) == (None, "dateparser")
    assert parse_date("7 janv. 2023", ("fr",)) == (date(2023, 1, 7), "dateparser")
