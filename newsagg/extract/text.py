"""Text normalization shared by every extractor: one function, one definition of "clean"."""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

import ftfy
from lxml import etree

from newsagg.sites.text_rules import text_rules

_RULES = text_rules()  # newsagg/sites/rules/text.toml
# Characters that carry no text. (A regex: str.translate with a dict goes through Python for
# every character of non-ASCII text, ten times slower.)
_INVISIBLE = re.compile(f"[{_RULES.invisible}]")
# Bytes of UTF-8 read as Latin-1/cp1252 ("Ã©"): only then is ftfy worth its cost.
_MOJIBAKE_HINT = re.compile(r"[ÃÂâØÙ][\u0080-\u00bf\u2018-\u203a\u0152-\u0178\u02c6-\u02dc]")
# Repair encodings only: curly quotes, ligatures and full-width forms are the author's text.
_FTFY = ftfy.TextFixerConfig(
    uncurl_quotes=False, fix_latin_ligatures=False, fix_character_width=False, normalization="NFC"
)
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]{2,8});")
_NON_WORD = re.compile(r"[\W_]+")
_FOLD_MARKS = re.compile(f"[{_RULES.fold_marks}]")
# Each letter's other forms: one str.replace for a single form, a regex for several.
_FOLD_LETTERS = tuple(
    (letter, forms if len(forms) == 1 else re.compile(f"[{forms}]"))
    for letter, forms in _RULES.fold_letters
)
# The extractor cleans and folds an article's paragraphs, then CleanPipeline cleans them again
# and folds them for the content hash a moment later: recent results are kept for it.
_RECENT = 512


@lru_cache(maxsize=_RECENT)
def clean_text(raw: str | None) -> str:
    """Entities decoded, mojibake repaired, NFC, invisible characters dropped, spaces folded."""
    if not raw:
        return ""
    text = raw
    if "&" in text and _ENTITY.search(text):  # double-escaped markup such as "&amp;eacute;"
        text = html.unescape(text)
    if _MOJIBAKE_HINT.search(text):
        text = ftfy.fix_text(text, config=_FTFY)
    text = _INVISIBLE.sub("", text)
    # str.split() splits on what Unicode calls white space: no-break, narrow no-break, figure,
    # ideographic and other odd spaces become one plain space, like every other run of spaces.
    text = " ".join(text.split())
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=_RECENT)
def fold_for_match(text: str) -> str:
    """Case-, punctuation- and Arabic-spelling-insensitive form for comparing phrases:
    "Lire aussi :" = "lire aussi", "اقرأ أيضًا" = "اقرا ايضا"."""
    return _NON_WORD.sub(" ", fold_arabic(text.casefold())).strip()


def fold_arabic(text: str) -> str:
    """The fold rules of `rules/text.toml`: marks dropped (harakat, tatweel), letter forms made
    one (alef, ta marbuta, alef maqsura). (Regex and str.replace: str.translate goes through
    Python for each character.)"""
    text = _FOLD_MARKS.sub("", text)
    for letter, forms in _FOLD_LETTERS:
        text = text.replace(forms, letter) if isinstance(forms, str) else forms.sub(letter, text)
    return text


# What a fold leaves out between two letters, and what it makes into each letter: the raw
# spellings of a folded word, for a search in raw (lower-cased) text.
_DROPPED = f"[{_RULES.fold_marks}{_RULES.invisible}]*"
_SPELLINGS = {letter: f"[{letter}{forms}]" for letter, forms in _RULES.fold_letters}
_RAW_SPELLED = re.compile(f"[{_RULES.raw_spelled}]+")


def has_raw_spelling(word: str) -> bool:
    """The word's raw spellings are all known: ASCII letters (lower case), or letters whose
    forms and marks the fold rules list. Not so for accented Latin (NFC may compose them)."""
    return (word.isascii() and word.isalpha()) or _RAW_SPELLED.fullmatch(word) is not None


def raw_spelling(word: str) -> str:
    """A regex matching, in raw lower-cased text, every spelling that folds to `word` (one
    for which `has_raw_spelling` holds): each letter in any of its forms, marks between."""
    return _DROPPED.join(_SPELLINGS.get(char, re.escape(char)) for char in word)


def string_value(element: etree._Element) -> str:
    """The text of an element and its descendants, as XPath's string() gives it; a childless
    element's text is read without building an iterator."""
    return (element.text or "") if len(element) == 0 else "".join(element.itertext())


@lru_cache(maxsize=8)  # CleanPipeline's content hash, then the MinHash, read the same body
def normalize_for_hash(body: str) -> str:
    """The body as dedupe sees it: case, punctuation and spacing do not make a new text.

    That is fold_for_match(NFKC(body)), computed paragraph by paragraph so that the extractor's
    folds are reused: a blank line is punctuation to the fold and a boundary to NFKC ("\\n"
    never composes), so the joined folds are the same string."""
    folds = (fold_for_match(unicodedata.normalize("NFKC", part)) for part in body.split("\n\n"))
    return " ".join(fold for fold in folds if fold)
