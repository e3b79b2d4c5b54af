"""The run's distinct texts, one row each, in temporary files: a row's MinHash values
(uint32), LSH band keys (int64) and the place of its compressed normalized text, at a fixed
offset in one file; the texts, one after another, in another. Nothing per text stays in
memory, so a run of any size costs the same; a row is read back (one `pread`) only to check
a candidate that shares a band, and when recording."""

from __future__ import annotations

import os
import struct
import tempfile
import weakref
from collections.abc import Sequence
from typing import TypeAlias

import numpy as np

from newsagg.dedupe.fingerprint import MinHasher, from_bytes, to_bytes

NO_ROW = -1  # an entry without a MinHash signature (no body, or none needed)
# A text's MinHash values (uint32), band keys and compressed normalized text.
Fingerprint: TypeAlias = tuple[np.ndarray, Sequence[int], bytes]

_PLACE = struct.Struct("<qq")  # where a row's text starts in the texts file, its length


def text_fingerprint(hasher: MinHasher, site: str, body: str | None) -> Fingerprint | None:
    """A body's fingerprint: its MinHash values, their LSH band keys for the site, its
    compressed normalized text; None for an empty body."""
    found = hasher.fingerprint(body)
    if found is None:
        return None
    signature, text = found
    return signature, hasher.band_keys(site, signature), text


class RunTexts:
    def __init__(self, num_perm: int, bands: int) -> None:
        self.signature_bytes_per_row = num_perm * 4
        self.key_bytes_per_row = bands * 8
        self.row_bytes = self.signature_bytes_per_row + self.key_bytes_per_row + _PLACE.size
        self.count = 0
        self.texts_end = 0
        # Unlinked at once (TemporaryFile): nothing left behind, even by a killed process.
        # Closed explicitly when this object goes, so no ResourceWarning.
        self._rows = tempfile.TemporaryFile(prefix="newsagg-signatures-", buffering=0)  # noqa: SIM115
        self._texts = tempfile.TemporaryFile(prefix="newsagg-texts-", buffering=0)  # noqa: SIM115
        weakref.finalize(self, self._rows.close)
        weakref.finalize(self, self._texts.close)

    def add(self, signature: np.ndarray, keys: Sequence[int], text: bytes) -> int:
        """A new row; its number."""
        row = self.count
        keys_bytes = np.asarray(keys, dtype="<i8").tobytes()
        place = _PLACE.pack(self.texts_end, len(text))
        record = to_bytes(signature) + keys_bytes + place
        os.pwrite(self._rows.fileno(), record, row * self.row_bytes)
        os.pwrite(self._texts.fileno(), text, self.texts_end)
        self.texts_end += len(text)
        self.count += 1
        return row

    def _record(self, row: int) -> bytes:
        return os.pread(self._rows.fileno(), self.row_bytes, row * self.row_bytes)

    def signature_bytes(self, row: int) -> bytes:
        return self._record(row)[: self.signature_bytes_per_row]

    def signature(self, row: int) -> np.ndarray:
        return from_bytes(self.signature_bytes(row))

    def band_keys(self, row: int) -> list[int]:
        start = self.signature_bytes_per_row
        keys = self._record(row)[start : start + self.key_bytes_per_row]
        return np.frombuffer(keys, dtype="<i8").tolist()

    def text(self, row: int) -> bytes:
        start, length = _PLACE.unpack_from(self._record(row), self.row_bytes - _PLACE.size)
        return os.pread(self._texts.fileno(), length, start)

    def signature_and_text(self, row: int) -> tuple[np.ndarray, bytes]:
        """What checking a near-copy candidate reads: one record, one text."""
        record = self._record(row)
        start, length = _PLACE.unpack_from(record, self.row_bytes - _PLACE.size)
        signature = from_bytes(record[: self.signature_bytes_per_row])
        return signature, os.pread(self._texts.fileno(), length, start)
