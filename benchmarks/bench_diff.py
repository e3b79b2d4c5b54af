"""`scrapy newsagg-diff` on two generated runs (a benchmark, not a test).

    .venv/bin/python -m benchmarks.bench_diff                    # 300,000 records of ~5 KB
    .venv/bin/python -m benchmarks.bench_diff --records 20000    # quick look

Writes OLD and NEW as gzipped JSON Lines in a temporary directory (NEW: 1 % of the titles
and 1 % of the bodies changed, 0.5 % removed, 0.5 % added, every `scraped_at` different),
runs the real command in a process of its own and prints its wall time, CPU time and peak
RSS (from `wait4()`), beside the size of the inputs.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORDS = "le la les un une des et à de du dans pour sur avec par au aux ce cette qui que".split()
_rng = random.Random(1)
# ~1.5 KB paragraphs; a body is three of them and its number: ~4.5 KB, distinct per record.
PARAGRAPHS = [
    " ".join(_rng.choice(WORDS) + str(_rng.randrange(99)) for _ in range(300)) for _ in range(997)
]


def record(n: int, scraped_at: str) -> dict[str, object]:
    body = "\n\n".join(PARAGRAPHS[(n * k) % len(PARAGRAPHS)] for k in (1, 3, 7)) + f" {n}"
    return {
        "id": f"maghress:lopinion:{n}",
        "url": f"https://www.maghress.com/fr/lopinion/{n}",
        "site": "maghress",
        "source": "L'opinion",
        "source_slug": "lopinion",
        "source_url": f"https://www.lopinion.ma/article-{n}.html",
        "title": f"Article numéro {n} : la Bourse de Casablanca termine en hausse",
        "published": "2022-01-19",
        "published_raw": "Publié dans L'opinion le 19 - 01 - 2022",
        "language": "fr",
        "body": body,
        "scraped_at": scraped_at,
        "content_hash": f"{n:064x}",
        "duplicate_of": None,
        "updated": False,
    }


def write_runs(directory: Path, count: int) -> tuple[Path, Path]:
    old, new = directory / "old.jsonl.gz", directory / "new.jsonl.gz"
    with (
        gzip.open(old, "wt", encoding="utf-8", compresslevel=1) as o,
        gzip.open(new, "wt", encoding="utf-8", compresslevel=1) as w,
    ):
        for n in range(count):
            base = record(n, "2026-11-26T10:00:00Z")
            o.write(json.dumps(base, ensure_ascii=False) + "\n")
            if n % 200 == 1:
                continue  # removed
            changed = dict(base, scraped_at="2026-11-27T10:00:00Z")
            if n % 100 == 2:
                changed["title"] += " (mis à jour)"
            if n % 100 == 3:
                changed["body"] += " Une phrase de plus."
            w.write(json.dumps(changed, ensure_ascii=False) + "\n")
            if n % 200 == 4:
                extra = record(count + n, "2026-11-27T10:00:00Z")
                w.write(json.dumps(extra, ensure_ascii=False) + "\n")
    return old, new


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=300_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-diff-") as tmp:
        started = time.perf_counter()
        old, new = write_runs(Path(tmp), args.records)
        print(f"generated {args.records:,} records in {time.perf_counter() - started:.0f} s")
        for path in (old, new):
            print(f"  {path.name}: {path.stat().st_size / 1e6:.0f} MB gzipped")
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        command = [sys.executable, "-m", "scrapy", "newsagg-diff", str(old), str(new)]
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, text=True)
        assert process.stdout is not None
        output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        print(output)
        print(f"exit status {os.waitstatus_to_exitcode(status)}")
        print(f"wall {wall:.1f} s, CPU {usage.ru_utime + usage.ru_stime:.1f} s")
        print(f"peak RSS {usage.ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
