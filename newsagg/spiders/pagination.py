"""Which link of a listing page leads to its next page.

The mechanisms (`<link rel=next>`, `a[rel=next]`, arrows, "Suivant"/"التالي"/"»"...) name
candidates in the profile's order. Pagers disagree on what "»" means (the next page, or the
last), so a candidate whose page number is the next one wins over the order; failing that, a
numbered pager (`?page=N`, `?p=N`, `/page/N`) is read for the next number; failing that, the
first candidate that does not lead back."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import parse_qsl, urlsplit

PAGE_PARAMETERS = ("page", "p", "pg", "paged", "pagina", "pagenum")
_PAGE_IN_PATH = re.compile(r"/page/(\d{1,5})/?$")


def page_number(url: str) -> int | None:
    """The page number a listing URL names, if it names one."""
    parts = urlsplit(url)
    for name, value in parse_qsl(parts.query):
        if name.lower() in PAGE_PARAMETERS and value.isdigit():
            return int(value)
    match = _PAGE_IN_PATH.search(parts.path)
    return int(match.group(1)) if match else None


def choose_next_page(
    here: str, page: int, candidates: Sequence[str], links: Iterable[str]
) -> str | None:
    """The next page of the listing page `here` (the `page`-th of its listing): from the
    mechanisms' `candidates` (in priority order), else from the page's other `links`. Every URL
    is absolute, canonical, on the site and not an article."""
    current = page_number(here)
    wanted = (current if current is not None else page) + 1
    for url in candidates:
        if url != here and page_number(url) == wanted:
            return url
    path = urlsplit(here).path
    for url in links:
        if url != here and urlsplit(url).path == path and page_number(url) == wanted:
            return url
    floor = current if current is not None else page
    for url in candidates:
        number = page_number(url)
        if url != here and (number is None or number > floor):
            return url
    return None
