"""Deterministic text generation: seeds, titles, article bodies and dates.

All functions take an explicit ``random.Random`` so callers control determinism. Seeds are
derived with :func:`mix`, a pure-arithmetic SplitMix64-style hash, so they are identical across
processes (unlike ``hash()`` of strings, which is salted per process).
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import date

from benchmarks.corpus import (
    CITIES,
    COMPANIES,
    COMPLEMENTS,
    LOWER_STARTS,
    MONTHS,
    OBJECTS,
    PLURAL_STARTS,
    PUNCT,
    SUBHEADINGS,
    SUBJECTS,
    VERBS,
    WEEKDAYS,
)

_MASK = (1 << 64) - 1
_VOWELS = frozenset("AEIOUÉ")

# Independent random streams per purpose, so e.g. a title can be drawn without the body.
STREAM_META = 1
STREAM_TITLE = 2
STREAM_BODY = 3
STREAM_PAGE = 4
STREAM_EDIT = 5
STREAM_LISTING = 6


def mix(*parts: int) -> int:
    """Hash integers into a 64-bit seed (SplitMix64 finaliser applied per part)."""
    h = 0x9E3779B97F4A7C15
    for part in parts:
        h = (h ^ (part & _MASK)) + 0x9E3779B97F4A7C15 & _MASK
        h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9 & _MASK
        h = (h ^ (h >> 27)) * 0x94D049BB133111EB & _MASK
        h ^= h >> 31
    return h


def rng_for(*parts: int) -> random.Random:
    """A ``random.Random`` seeded from ``mix(*parts)``."""
    return random.Random(mix(*parts))


def _fill(template: str, rng: random.Random, lang: str) -> str:
    """Replace the ``{city}``/``{num}``/``{year}``/``{weekday}``/``{company}`` placeholders."""
    if "{" not in template:
        return template
    if "{city}" in template:
        city = rng.choice(CITIES[lang])
        if lang == "fr" and city[0] in _VOWELS:
            template = template.replace("de {city}", "d'{city}")
        template = template.replace("{city}", city)
    if "{num}" in template:
        template = template.replace("{num}", str(rng.randint(12, 980)))
    if "{year}" in template:
        template = template.replace("{year}", str(rng.randint(2024, 2030)))
    if "{weekday}" in template:
        template = template.replace("{weekday}", rng.choice(WEEKDAYS[lang]))
    if "{company}" in template:
        template = template.replace("{company}", rng.choice(COMPANIES[lang]))
    return template


def _cap(text: str) -> str:
    """Upper-case the first character only (``str.capitalize`` would lower the rest)."""
    return text[:1].upper() + text[1:]


def _verb_forms(entry: str, lang: str) -> tuple[str, str]:
    """Split a ``VERBS`` entry into its two forms (see :data:`benchmarks.corpus.VERBS`)."""
    first, sep, second = entry.partition("|")
    if sep or lang == "ar":
        return first, second
    if first.startswith("a "):
        return first, "ont" + first[1:]
    if first.startswith("ha "):
        return first, "han" + first[2:]
    return first, first


_VERB_FORMS = {lang: tuple(_verb_forms(v, lang) for v in verbs) for lang, verbs in VERBS.items()}


def _clause(rng: random.Random, lang: str, *, opening: bool = True) -> str:
    """Subject, verb and object of one clause (verb-subject-object in Arabic).

    With ``opening=False`` the clause follows a fronted complement, so a leading article of
    the subject is lower-cased ("Après des négociations, le gouvernement ...").
    """
    subject = _fill(rng.choice(SUBJECTS[lang]), rng, lang)
    first, second = rng.choice(_VERB_FORMS[lang])
    obj = _fill(rng.choice(OBJECTS[lang]), rng, lang)
    if lang == "ar":
        return f"{first} {subject} {second} {obj}" if second else f"{first} {subject} {obj}"
    verb = second if subject.startswith(PLURAL_STARTS) else first
    if not opening and subject.startswith(LOWER_STARTS):
        subject = subject[0].lower() + subject[1:]
    return f"{subject} {verb} {obj}"


def complement(rng: random.Random, lang: str) -> str:
    """One adverbial complement ("à Rabat", "selon un communiqué officiel", ...)."""
    return _fill(rng.choice(COMPLEMENTS[lang]), rng, lang)


def make_sentence(rng: random.Random, lang: str) -> list[str]:
    """One sentence as a list of parts; ``"".join(parts)`` is the sentence text.

    Keeping the parts lets near-duplicates edit a single complement of a sentence.
    """
    comma, conj, end = PUNCT[lang]
    roll = rng.random()
    core = _clause(rng, lang, opening=not 0.75 <= roll < 0.9)
    if roll < 0.45:
        return [core, " ", complement(rng, lang), end]
    if roll < 0.75:
        return [core, " ", complement(rng, lang), comma, complement(rng, lang), end]
    if roll < 0.9:
        lead = complement(rng, lang)
        return [_cap(lead), comma, core, end]
    return [core, " ", complement(rng, lang), conj, complement(rng, lang), end]


def make_title(rng: random.Random, lang: str) -> str:
    """A headline (no trailing period)."""
    core = _clause(rng, lang)
    roll = rng.random()
    if roll < 0.3:
        city = rng.choice(CITIES[lang])
        sep = ": " if lang == "ar" else " : " if lang == "fr" else ": "
        return f"{city}{sep}{core}"
    if roll < 0.55:
        return f"{core} {complement(rng, lang)}"
    return core


@dataclass(slots=True)
class Body:
    """An article body.

    ``blocks`` is the ordered list of ``(kind, parts)`` where ``kind`` is ``"p"`` (a paragraph,
    ``parts`` a list of sentences, each a list of string parts) or ``"h"`` (a subheading,
    ``parts`` a one-element list holding the heading text).
    """

    blocks: list[tuple[str, list]]
    heading_style: str  # "h2" or "strong"

    def texts(self) -> list[str]:
        """Plain text of every block (paragraphs and subheadings) in document order."""
        out = []
        for kind, parts in self.blocks:
            if kind == "h":
                out.append(parts[0])
            else:
                out.append(" ".join("".join(s) for s in parts))
        return out

    def paragraphs(self) -> list[list[list[str]]]:
        """The paragraph blocks only (each a list of sentences)."""
        return [parts for kind, parts in self.blocks if kind == "p"]


def make_body(rng: random.Random, lang: str) -> Body:
    """3-15 paragraphs of 2-5 sentences with 0-3 subheadings between them."""
    n_par = rng.randint(3, 15)
    paragraphs = [
        [make_sentence(rng, lang) for _ in range(rng.randint(2, 5))] for _ in range(n_par)
    ]
    n_sub = min(rng.randint(0, 3), n_par - 1)
    positions = set(rng.sample(range(1, n_par), n_sub))
    headings = iter(rng.sample(SUBHEADINGS[lang], n_sub))
    blocks: list[tuple[str, list]] = []
    for i, para in enumerate(paragraphs):
        if i in positions:
            blocks.append(("h", [next(headings)]))
        blocks.append(("p", para))
    return Body(blocks, "h2" if rng.random() < 0.5 else "strong")


def edit_body(body: Body, rng: random.Random, lang: str) -> Body:
    """A near-copy of ``body``: either a new lead sentence or one edited complement."""
    blocks = [
        (kind, [list(s) for s in parts] if kind == "p" else parts) for kind, parts in body.blocks
    ]
    paragraphs = [parts for kind, parts in blocks if kind == "p"]
    if rng.random() < 0.5:
        paragraphs[0][0] = make_sentence(rng, lang)
    else:
        para = rng.choice(paragraphs)
        sentence = rng.choice(para)
        # every sentence template has a complement at index 2 (or the capitalised lead at 0)
        idx = 2 if len(sentence) > 2 and sentence[1] == " " else 0
        new = complement(rng, lang)
        while new == sentence[idx] or _cap(new) == sentence[idx]:
            new = complement(rng, lang)
        sentence[idx] = _cap(new) if idx == 0 else new
    return Body(blocks, body.heading_style)


def format_date(day: date, lang: str, alternate: bool) -> str:
    """``DD - MM - YYYY`` (the aggregator's format) or a spelled-out month name."""
    if not alternate:
        return f"{day.day:02d} - {day.month:02d} - {day.year}"
    month = MONTHS[lang][day.month - 1]
    if lang == "es":
        return f"{day.day} de {month} de {day.year}"
    return f"{day.day} {month} {day.year}"


def ascii_slug(text: str, max_words: int = 8) -> str:
    """Lower-case ASCII slug of the first words of ``text`` (empty for non-Latin text)."""
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = "".join(c if c.isalnum() else " " for c in norm.lower()).split()
    return "-".join(words[:max_words])
