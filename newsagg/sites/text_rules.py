"""`rules/text.toml`: how text is cleaned and compared on every site, read and checked once."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from newsagg.errors import ProfileError
from newsagg.sites.validate import check

RULES_FILE = resources.files("newsagg.sites") / "rules" / "text.toml"


@dataclass(frozen=True, slots=True)
class TextRules:
    """Character sets, each as written inside a regex `[...]`."""

    invisible: str  # dropped from all text
    fold_marks: str  # dropped before comparing
    fold_letters: tuple[tuple[str, str], ...]  # (letter, the forms made into it)
    raw_spelled: str  # non-ASCII letters whose raw spellings the rules describe


@cache
def text_rules() -> TextRules:
    try:
        with RULES_FILE.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{RULES_FILE.name}: not valid TOML: {exc}") from exc
    check(data, "text.schema.json", RULES_FILE.name)
    fold = data["fold"]
    return TextRules(
        invisible=data["clean"]["invisible"],
        fold_marks=fold["marks"],
        fold_letters=tuple(fold["letters"].items()),
        raw_spelled=fold["raw_spelled"],
    )
