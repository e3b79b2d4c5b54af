"""Publication dates: fast paths for `DD - MM - YYYY` and `D month YYYY`, dateparser otherwise.

The shapes and the month names are the template's (`[dates]`, `[phrases.<lang>.months]`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Literal

from dateparser.date import DateDataParser

from newsagg.extract.text import fold_arabic

DateMethod = Literal["fast", "months", "dateparser"]


@dataclass(frozen=True, slots=True, eq=False)
class DateRules:
    """How a site's dates are read: the template's `[dates]` regexes (named groups `day`,
    `month`, `year`) and every month name of its `[phrases.*.months]`, folded."""

    numeric: re.Pattern[str]  # "19 - 01 - 2022"
    day_month_year: re.Pattern[str]  # "7 mars 2023", "12 كانون الثاني 2020"
    months: Mapping[str, int]  # fold_month_name(name) -> 1..12


def parse_date(
    raw: str, rules: DateRules, languages: tuple[str, ...]
) -> tuple[date | None, DateMethod]:
    """The day `raw` names (day first), and which path found it. None when nothing reliable
    comes out: a date is never guessed. (Arabic-Indic digits are digits: `\\d` and `int()`
    read them.)"""
    match = rules.numeric.match(raw)
    if match:
        return _day(match.group("year"), match.group("month"), match.group("day")), "fast"
    match = rules.day_month_year.match(raw)
    if match and (month := rules.months.get(fold_month_name(match.group("month")))):
        return _day(match.group("year"), month, match.group("day")), "months"
    parsed = _parser(languages).get_date_data(_ascii_digits(raw))
    if parsed.date_obj is None or parsed.period != "day":
        return None, "dateparser"
    return parsed.date_obj.date(), "dateparser"


def _day(year: str, month: str | int, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def fold_month_name(name: str) -> str:
    """Lower case, no tatweel or harakat, one alef, dots as spaces: "أغسطس" and "اغسطس" are
    one month, and so are "janv." and "janv"."""
    folded = fold_arabic(name.casefold())
    return " ".join(folded.replace(".", " ").split())


_DIGIT = re.compile(r"\d")


def _ascii_digits(text: str) -> str:
    """Every decimal digit as its ASCII one, for dateparser."""
    if text.isascii():
        return text
    return _DIGIT.sub(lambda match: str(unicodedata.decimal(match.group())), text)


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
