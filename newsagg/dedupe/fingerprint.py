"""MinHash fingerprints of article bodies, and their LSH band keys (pure; no Scrapy, no I/O).

A body is normalized (`normalize_for_hash`), cut into words, and every run of `SHINGLE_WORDS`
consecutive words is one shingle. Shingles are hashed with numpy (crc32 of each word, mixed
by position), then datasketch's affine32 MinHash keeps `num_perm` minima (`update_batch`).
Two bodies whose shingle sets have Jaccard similarity J agree on a fraction J of the values,
on average.

For the index the signature is cut into `bands` bands of `rows` values (datasketch's optimum
for `CANDIDATE_MARGIN` below the threshold, weighted 1:9 against false negatives): bands only
find candidates, the exact Jaccard of the two texts decides. Each band gives one 64-bit key
that also encodes the site and the band number, so one SQLite column holds the whole index."""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Self

import numpy as np
from datasketch import MinHash, MinHashLSH

from newsagg.extract.text import normalize_for_hash

SHINGLE_WORDS = 5
SEED = 1  # datasketch permutation seed: fixed, or stored signatures stop being comparable
LSH_WEIGHTS = (0.1, 0.9)  # (false positive, false negative) weights for choosing bands x rows
# The bands find candidates from this far below the threshold (at J = threshold a pair is a
# candidate with probability > 0.9999 for 0.8); the exact Jaccard of their shingles decides.
CANDIDATE_MARGIN = 0.2
TEXT_LEVEL = 1  # zlib level of the stored normalized texts: 3x smaller, ~20 us an article
# Odd 64-bit multipliers, one per position in a shingle, so word order matters.
_POSITION = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
     0xFF51AFD7ED558CCD],
    dtype=np.uint64,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class MinHasher:
    """Signatures and band keys for one (threshold, num_perm) setting."""

    threshold: float
    num_perm: int
    bands: int
    rows: int
    permutations: np.ndarray  # datasketch's (a, b) parameters, shape (2, num_perm), uint32

    @classmethod
    def create(cls, threshold: float, num_perm: int) -> Self:
        """The hasher of a setting: made once a process (datasketch's choice of bands integrates
        numerically, about 50 ms), then the same object: it is never changed."""
        return _hasher(cls, threshold, num_perm)

    @classmethod
    def _make(cls, threshold: float, num_perm: int) -> Self:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"near-duplicate threshold must be in (0, 1], got {threshold}")
        if not 16 <= num_perm <= 1024:
            raise ValueError(f"num_perm must be between 16 and 1024, got {num_perm}")
        candidates = max(0.05, threshold - CANDIDATE_MARGIN)
        lsh = MinHashLSH(threshold=candidates, num_perm=num_perm, weights=LSH_WEIGHTS)
        permutations = MinHash(num_perm=num_perm, seed=SEED, scheme="affine32").permutations
        return cls(threshold, num_perm, lsh.b, lsh.r, permutations)

    @property
    def params(self) -> str:
        """What the stored signatures and band keys depend on, as one comparable string."""
        return (
            f"minhash=affine32 seed={SEED} shingle={SHINGLE_WORDS} num_perm={self.num_perm}"
            f" bands={self.bands}x{self.rows}"
        )

    def signature(self, body: str | None) -> np.ndarray | None:
        """The MinHash values (uint32) of the body's shingles; None for an empty body."""
        fingerprint = self.fingerprint(body)
        return fingerprint[0] if fingerprint is not None else None

    def fingerprint(self, body: str | None) -> tuple[np.ndarray, bytes] | None:
        """The body's MinHash values and its normalized text, compressed (what the exact
        Jaccard of two candidates is computed from); None for an empty body."""
        text = normalize_for_hash(body).encode("utf-8") if body else b""
        words = text.split()
        if not words:
            return None
        hashes = np.array(list(map(zlib.crc32, words)), dtype=np.uint64)
        mixed = _mix(hashes)
        shingles = (mixed >> np.uint64(32)) ^ (mixed & np.uint64(0xFFFFFFFF))
        return self.minhash(shingles.astype(np.uint32)), zlib.compress(text, TEXT_LEVEL)

    def minhash(self, values: np.ndarray) -> np.ndarray:
        """datasketch's affine32 MinHash of the shingle hashes, with the permutations drawn
        once (benchmarks/bench_minhash.py: computing it on the numpy array instead saved
        0.08-0.1 ms an article, not enough to keep a copy of datasketch's arithmetic)."""
        minhash = MinHash(
            num_perm=self.num_perm,
            scheme="affine32",
            hashfunc=int,
            permutations=self.permutations,
        )
        minhash.update_batch(values.tolist())
        return minhash.hashvalues.astype("<u4", copy=False)

    def band_keys(self, site: str, signature: np.ndarray) -> tuple[int, ...]:
        """One signed 64-bit key per band (site and band number included)."""
        keys = []
        raw = signature.astype("<u4", copy=False)
        for band in range(self.bands):
            chunk = raw[band * self.rows : (band + 1) * self.rows].tobytes()
            digest = hashlib.blake2b(chunk, digest_size=8, person=_person(site, band)).digest()
            keys.append(int.from_bytes(digest, "little", signed=True))
        return tuple(keys)

    def band_keys_of_bytes(self, site: str, signature: bytes) -> tuple[int, ...]:
        return self.band_keys(site, from_bytes(signature))

    def similarity(self, a: np.ndarray, b: np.ndarray) -> float:
        """Estimated Jaccard similarity: the share of equal MinHash values."""
        if len(a) != len(b):
            return 0.0
        return float(np.count_nonzero(a == b)) / len(a)

    def is_near(
        self, a: np.ndarray, b: np.ndarray, text_a: bytes | None, text_b: bytes | None
    ) -> bool:
        """Whether two candidates are copies: the exact Jaccard of their shingle sets at the
        threshold, where both texts are known (a pair whose estimate is a whole margin below it
        is not one: a true copy lands there with a probability under 1e-8); the MinHash
        estimate for a text an older state recorded without its text."""
        estimate = self.similarity(a, b)
        if text_a is None or text_b is None:
            return estimate >= self.threshold
        if estimate < self.threshold - CANDIDATE_MARGIN:  # 5.7 standard errors below at 128
            return False
        return jaccard(shingle_set(text_a), shingle_set(text_b)) >= self.threshold


@lru_cache(maxsize=256)  # a text of the run is checked against each of its candidates
def shingle_set(text: bytes) -> np.ndarray:
    """The sorted distinct 64-bit hashes of a compressed normalized text's 5-word shingles
    (each word hashed by crc32 and adler32 together: no two words collide in practice)."""
    words = zlib.decompress(text).split()
    crc = np.array(list(map(zlib.crc32, words)), dtype=np.uint64)
    adler = np.array(list(map(zlib.adler32, words)), dtype=np.uint64)
    return np.unique(_mix((crc << np.uint64(32)) | adler))


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """|a ∩ b| / |a ∪ b| of two sorted distinct arrays."""
    if not len(a) and not len(b):
        return 1.0
    shared = np.intersect1d(a, b, assume_unique=True).size
    return shared / (len(a) + len(b) - shared)


def _mix(hashes: np.ndarray) -> np.ndarray:
    """One uint64 per run of SHINGLE_WORDS consecutive word hashes (fewer words: one run)."""
    n = max(1, len(hashes) - SHINGLE_WORDS + 1)
    width = min(SHINGLE_WORDS, len(hashes))
    mixed = np.zeros(n, dtype=np.uint64)
    for position in range(width):
        mixed += hashes[position : position + n] * _POSITION[position]  # wraps mod 2**64
    return mixed


def to_bytes(signature: np.ndarray) -> bytes:
    return signature.astype("<u4", copy=False).tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<u4")


@lru_cache(maxsize=1024)
def _person(site: str, band: int) -> bytes:
    """blake2b personalization (at most 16 bytes): keeps sites and bands apart."""
    return hashlib.blake2b(f"{site}\0{band}".encode(), digest_size=16).digest()


@lru_cache(maxsize=8)
def _hasher(cls: type[MinHasher], threshold: float, num_perm: int) -> MinHasher:
    return cls._make(threshold, num_perm)
