"""Text normalization shared by every extractor: one function, one definition of "clean"."""

from __future__ import annotations

import html
import re
import unicodedata

import ftfy

# No-break, narrow no-break, figure, ideographic and other odd spaces become a plain space.
_SPACES = re.compile(r"[\s\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
# Zero-width and bidi controls that carry no text; soft hyphen too.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f"), None)
# Bytes of UTF-8 read as Latin-1/cp1252 ("Ã©"): only then is ftfy worth its cost.
_MOJIBAKE_HINT = re.compile(r"[ÃÂâØÙ][\u0080-\u00bf\u2018-\u203a\u0152-\u0178\u02c6-\u02dc]")
# Repair encodings only: curly quotes, ligatures and full-width forms are the author's text.
_FTFY = ftfy.TextFixerConfig(
    uncurl_quotes=False, fix_latin_ligatures=False, fix_character_width=False, normalization="NFC"
)
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]{2,8});")


def clean_text(raw: str | None) -> str:
    """Entities decoded, mojibake repaired, NFC, invisible characters dropped, spaces folded."""
    if not raw:
        return ""
    text = raw
    if "&" in text and _ENTITY.search(text):  # double-escaped markup such as "&amp;eacute;"
        text = html.unescape(text)
    if _MOJIBAKE_HINT.search(text):
        text = ftfy.fix_text(text, config=_FTFY)
    text = text.translate(_INVISIBLE)
    text = _SPACES.sub(" ", text).strip()
    return unicodedata.normalize("NFC", text)


def fold_for_match(text: str) -> str:
    """Case-, punctuation- and Arabic-spelling-insensitive form for comparing phrases:
    "Lire aussi :" = "lire aussi", "اقرأ أيضًا" = "اقرا ايضا"."""
    return _NON_WORD.sub(" ", fold_arabic(text.casefold())).strip()


def fold_arabic(text: str) -> str:
    """Harakat and tatweel dropped; alef, ta marbuta and alef maqsura forms made one."""
    return _HARAKAT.sub("", text).translate(_ARABIC_LETTERS)


_NON_WORD = re.compile(r"[\W_]+")
_HARAKAT = re.compile("[\u064b-\u065f\u0670\u0640]")
_ARABIC_LETTERS = str.maketrans("أإآٱىة", "اااايه")


def normalize_for_hash(body: str) -> str:
    """The body as dedupe sees it: case, punctuation and spacing do not make a new text."""
    return fold_for_match(unicodedata.normalize("NFKC", body))
