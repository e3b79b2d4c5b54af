"""The operator's view of a dataset: the last runs of each site, read from their manifests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsagg.output.storage import PARTIAL_SUFFIX


@dataclass(frozen=True, slots=True)
class RunRow:
    run_id: str
    manifest: dict[str, Any] | None  # None: files left .partial, no manifest (crashed/running)


def site_runs(site_dir: Path) -> list[RunRow]:
    """Every run of one site, newest first (run ids start with their UTC start time)."""
    runs: dict[str, RunRow] = {}
    for path in site_dir.glob("*/*.manifest.json"):
        manifest = json.loads(path.read_text(encoding="utf-8"))
        runs[manifest["run_id"]] = RunRow(manifest["run_id"], manifest)
    for path in site_dir.glob(f"*/*{PARTIAL_SUFFIX}"):
        run_id = path.name.split(".", 1)[0]
        runs.setdefault(run_id, RunRow(run_id, None))
    return sorted(runs.values(), key=lambda row: row.run_id, reverse=True)


def format_report(data_dir: Path, last: int) -> str:
    """A table per site: run, start, duration, articles, rejects, duplicates, health."""
    sites = sorted(p for p in data_dir.iterdir() if p.is_dir()) if data_dir.is_dir() else []
    if not sites:
        return f"no runs under {data_dir}"
    blocks = []
    for site_dir in sites:
        rows = [
            ("run", "started (UTC)", "duration", "articles", "rejects", "dups", "health"),
            *(table_row(run) for run in site_runs(site_dir)[:last]),
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines = [
            "  ".join(
                cell.rjust(width) if 2 <= i <= 5 else cell.ljust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
            for row in rows
        ]
        latest = site_dir / "latest.json"
        pointer = (
            json.loads(latest.read_text(encoding="utf-8"))["run_id"] if latest.exists() else "-"
        )
        blocks.append(f"{site_dir.name} (latest: {pointer})\n" + "\n".join("  " + x for x in lines))
    return "\n\n".join(blocks)


def table_row(run: RunRow) -> tuple[str, ...]:
    manifest = run.manifest
    if manifest is None:
        return (run.run_id, "-", "-", "-", "-", "-", "no manifest: crashed or still running")
    counts, health = manifest["counts"], manifest["health"]
    verdict = health["status"]
    if health["problems"]:
        rules = ", ".join(dict.fromkeys(p["rule"] for p in health["problems"]))
        verdict = f"{verdict} (exit {health['exit_code']}: {rules})"
    return (
        run.run_id,
        manifest["started"].replace("T", " ").removesuffix("Z"),
        f"{manifest['duration_seconds']:.1f} s",
        str(counts["items"]),
        str(counts["rejects"]),
        str(counts["duplicates"]),
        verdict,
    )
