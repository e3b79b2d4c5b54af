"""Publication dates: a fast path for the sites' own `DD - MM - YYYY`, dateparser otherwise."""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import Literal

from dateparser.date import DateDataParser

# Arabic-Indic and Eastern Arabic-Indic (Persian) digits -> ASCII.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_NUMERIC = re.compile(r"^\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4})\s*$")

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
    parsed = _parser(languages).get_date_data(text)
    if parsed.date_obj is None or parsed.period != "day":
        return None, "dateparser"
    return parsed.date_obj.date(), "dateparser"


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
