"""Publication dates: a fast path for the sites' own `DD - MM - YYYY` and for a day, a month
name and a year ("7 mars 2023"); dateparser for anything else."""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import Literal

from dateparser.date import DateDataParser

# Arabic-Indic and Eastern Arabic-Indic (Persian) digits -> ASCII.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_NUMERIC = re.compile(r"^\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4})\s*$")
# "7 mars 2023", "1er janvier 2022", "7 de marzo de 2023", "12 يناير 2021".
_SPELLED = re.compile(r"^\s*(\d{1,2})(er)?\s+(?:(de)\s+)?([^\W\d_]+)\s+(?:(de)\s+)?(\d{4})\s*$")
# Month names (space-separated spellings, January first) that dateparser reads the same way;
# tests/test_dates.py checks every one against dateparser for every site's languages.
_MONTH_NAMES = {
    "fr": "janvier|février fevrier|mars|avril|mai|juin|juillet|août aout|septembre|octobre"
    "|novembre|décembre decembre",
    "es": "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre setiembre|octubre"
    "|noviembre|diciembre",
    "ar": "يناير|فبراير|مارس|أبريل ابريل إبريل|مايو|يونيو يونيه|يوليو يوليه|أغسطس اغسطس|سبتمبر"
    "|أكتوبر اكتوبر|نوفمبر|ديسمبر",
}
MONTHS: dict[str, dict[str, int]] = {
    lang: {
        name: number for number, names in enumerate(months.split("|"), 1) for name in names.split()
    }
    for lang, months in _MONTH_NAMES.items()
}

DateMethod = Literal["fast", "dateparser"]


def parse_date(raw: str, languages: tuple[str, ...]) -> tuple[date | None, DateMethod]:
    """The day `raw` names (day first), and which path found it. None when nothing reliable
    comes out: a date is never guessed."""
    text = raw.translate(_DIGITS)
    match = _NUMERIC.match(text)
    if match:
        day, month, year = (int(group) for group in match.groups())
        try:
            return date(year, month, day), "fast"
        except ValueError:
            return None, "fast"
    spelled = _spelled_date(text, languages)
    if spelled is not None:
        return spelled, "fast"
    parsed = _parser(languages).get_date_data(text)
    if parsed.date_obj is None or parsed.period != "day":
        return None, "dateparser"
    return parsed.date_obj.date(), "dateparser"


def _spelled_date(text: str, languages: tuple[str, ...]) -> date | None:
    """The day of "7 mars 2023" when its month name is in MONTHS for one of `languages` (and
    "er", "de" are where that language writes them); None leaves it to dateparser."""
    match = _SPELLED.match(text)
    if match is None:
        return None
    day, ordinal, de_before, name, de_after, year = match.groups()
    folded = name.casefold()
    language = next((lang for lang in languages if folded in MONTHS.get(lang, {})), None)
    if language is None or (ordinal and language != "fr"):
        return None
    if (de_before or de_after) and language != "es":
        return None
    try:
        return date(int(year), MONTHS[language][folded], int(day))
    except ValueError:
        return None


@cache
def _parser(languages: tuple[str, ...]) -> DateDataParser:
    """One parser per language set: building it loads locale data, far dearer than parsing."""
    return DateDataParser(
        languages=list(languages),
        settings={
            "DATE_ORDER": "DMY",
            "PREFER_DAY_OF_MONTH": "first",
            "REQUIRE_PARTS": ["day", "month", "year"],
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )
