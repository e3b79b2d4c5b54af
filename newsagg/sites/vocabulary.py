"""The words every page of a template's sites is read with: each vocabulary key of its
[phrases.*] blocks, merged over all of them ([phrases.common] too), and its punctuation.

Pages mix languages (an Arabic caption credited "Photo : AFP"), so these are not limited to a
site's own languages; its edition keys (`published`, `read_at_source`...) are, in profiles.py."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from newsagg.errors import ProfileError
from newsagg.extract.dates import fold_month_name


@dataclass(frozen=True, slots=True, eq=False)
class Vocabulary:
    """Each field is the template key of that name, as written (the extractors fold or
    compile it). `(regex)` keys hold regex alternatives; see the template for what each means."""

    next_page: tuple[str, ...]
    source_words: tuple[str, ...]
    share_words: tuple[str, ...]
    name_particles: tuple[str, ...]
    reading_time: tuple[str, ...]  # (regex)
    credit_openings: tuple[str, ...]  # (regex)
    credit_words: tuple[str, ...]  # (regex)
    credit_marks: tuple[str, ...]  # (regex)
    meta_labels: tuple[str, ...]  # (regex)
    meta_tags: tuple[str, ...]  # (regex)
    meta_media: tuple[str, ...]  # (regex)
    meta_counts: tuple[str, ...]  # (regex)
    meta_files: tuple[str, ...]  # (regex)
    meta_sizes: tuple[str, ...]  # (regex)
    meta_mentions: tuple[str, ...]  # (regex)
    page_words: tuple[str, ...]  # (regex)
    next_words: tuple[str, ...]  # (regex)


@dataclass(frozen=True, slots=True, eq=False)
class Punctuation:
    """The template's [punctuation]: sets of characters."""

    full_stops: str
    sentence_end: str
    prose_end: str


def build_vocabulary(phrases: dict[str, dict[str, Any]]) -> Vocabulary:
    """Every block's words for each key, in the template's order, each once."""
    return Vocabulary(**{field.name: _merged(phrases, field.name) for field in fields(Vocabulary)})


def _merged(phrases: dict[str, dict[str, Any]], key: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(word for block in phrases.values() for word in block.get(key, ())))


def build_months(filename: str, phrases: dict[str, dict[str, Any]]) -> dict[str, int]:
    """Folded month name -> month number, from every `[phrases.<lang>.months]` naming system.
    A name given to two different months stops the run."""
    table: dict[str, int] = {}
    for code, block in phrases.items():
        for system, months in block.get("months", {}).items():
            for number, spellings in enumerate(months, start=1):
                for name in [spellings] if isinstance(spellings, str) else spellings:
                    known = table.setdefault(fold_month_name(name), number)
                    if known != number:
                        raise ProfileError(
                            f"{filename}: phrases.{code}.months.{system}: {name!r} is month"
                            f" {number} here and {known} in another list"
                        )
    return table
