"""MinHash per article: newsagg's numpy computation against datasketch's `update_batch`, on
the same values (they give the same signature; tests/test_dedupe_decisions.py holds that).

    python -m benchmarks.bench_minhash [--articles N] [--words W]

Prints the milliseconds of CPU per article of each, best of 5 rounds; asserts nothing. Both
start from the shingle hashes as the pipeline has them, a numpy array; datasketch is given
the permutations, so it does not draw them again per article."""

from __future__ import annotations

import argparse
import time

import numpy as np
from datasketch import MinHash

from newsagg.dedupe.fingerprint import MinHasher


def best_of(rounds: int, run: object) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        run()  # type: ignore[operator]
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--words", type=int, default=600, help="shingles per article")
    args = parser.parse_args()
    hasher = MinHasher.create(0.8, 128)
    rng = np.random.default_rng(1)
    texts = [
        rng.integers(0, 2**32, size=args.words, dtype=np.uint64).astype(np.uint32)
        for _ in range(args.articles)
    ]

    def ours() -> None:
        for values in texts:
            hasher.minhash(values)

    permutations = hasher.permutations  # given, so datasketch does not draw them per article

    def datasketch() -> None:
        for values in texts:  # as the pipeline has them: a numpy array, listed for datasketch
            MinHash(
                num_perm=128, scheme="affine32", hashfunc=int, permutations=permutations
            ).update_batch(values.tolist())

    for name, run in (("newsagg numpy", ours), ("datasketch update_batch", datasketch)):
        seconds = best_of(5, run)
        print(f"{name:<24} {1000 * seconds / args.articles:.3f} ms per article")


if __name__ == "__main__":
    main()
