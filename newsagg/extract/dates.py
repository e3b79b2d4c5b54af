"""Publication dates: fast paths for `DD - MM - YYYY` and `D month YYYY`, dateparser otherwise."""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import Literal

from dateparser.date import DateDataParser

from newsagg.extract.text import fold_arabic

# Arabic-Indic and Eastern Arabic-Indic (Persian) digits -> ASCII.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_NUMERIC = re.compile(r"^\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4})\s*$")

DateMethod = Literal["fast", "months", "dateparser"]

# Month names as the sites print them, folded by `_fold_month`: French, Spanish, and the four
# Arabic naming systems (Egyptian/Gulf, Moroccan, Algerian-Tunisian, Levantine-Syriac), which
# dateparser knows only in part (not غشت, جويلية or آذار).
_MONTHS_BY_NUMBER = {
    1: "janvier janv jan enero ene يناير جانفي كانون الثاني",
    2: "février fevrier févr fevr fév fev febrero feb فبراير فيفري شباط",
    3: "mars marzo mar مارس اذار",
    4: "avril avr abril abr ابريل افريل نيسان",
    5: "mai mayo may مايو ماي ايار",
    6: "juin junio jun يونيو يونيه جوان حزيران",
    7: "juillet juil julio jul يوليو يوليه يوليوز جويليه تموز",
    8: "août aout agosto ago اغسطس غشت اوت اب",
    9: "septembre sept sep septiembre setiembre سبتمبر شتنبر ايلول",
    10: "octobre oct octubre اكتوبر تشرين الاول",
    11: "novembre nov noviembre نوفمبر نونبر تشرين الثاني",
    12: "décembre decembre déc dec diciembre dic ديسمبر دجنبر كانون الاول",
}
_TWO_WORD_MONTHS = ("كانون الثاني", "تشرين الاول", "تشرين الثاني", "كانون الاول")


def _month_table() -> dict[str, int]:
    table = {}
    for number, names in _MONTHS_BY_NUMBER.items():
        for two_words in _TWO_WORD_MONTHS:
            if two_words in names:
                table[two_words] = number
                names = names.replace(two_words, " ")
        table.update(dict.fromkeys(names.split(), number))
    return table


_MONTHS = _month_table()
_DAY_MONTH_YEAR = re.compile(
    r"^\s*(\d{1,2})(?:er|º|°)?\s+(?:de\s+)?(.+?)\.?,?\s+(?:de\s+)?(\d{4})\s*$", re.IGNORECASE
)


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
    match = _DAY_MONTH_YEAR.match(text)
    if match and (month := _MONTHS.get(_fold_month(match.group(2)))):
        try:
            return date(int(match.group(3)), month, int(match.group(1))), "months"
        except ValueError:
            return None, "months"
    parsed = _parser(languages).get_date_data(text)
    if parsed.date_obj is None or parsed.period != "day":
        return None, "dateparser"
    return parsed.date_obj.date(), "dateparser"


def _fold_month(name: str) -> str:
    """Lower case, no tatweel or harakat, one alef: "أغسطس" and "اغسطس" are one month."""
    folded = fold_arabic(name.casefold())
    return " ".join(folded.replace(".", " ").split())


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
