"""The archives a re-extraction reads: named on the command line (paths or globs), each with
its size, sha256 and the `warcinfo` the crawl wrote first (site, run id, spider arguments)."""

from __future__ import annotations

import glob
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsagg.errors import StartError
from newsagg.output.storage import sha256_of
from newsagg.output.warc_records import GZIP_MAGIC, Record, records


@dataclass(frozen=True, slots=True)
class SourceArchive:
    path: Path
    bytes: int
    sha256: str
    warcinfo: dict[str, str]  # the first record's fields, when it is a readable warcinfo

    @property
    def site(self) -> str | None:
        return self.warcinfo.get("site")

    @property
    def arguments(self) -> dict[str, str]:
        """The crawl's spider arguments, as newsagg recorded them (none for other archives)."""
        try:
            arguments = json.loads(self.warcinfo.get("arguments", "{}"))
        except ValueError:
            return {}
        return {str(k): str(v) for k, v in arguments.items()} if isinstance(arguments, dict) else {}

    def as_manifest(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "bytes": self.bytes,
            "sha256": self.sha256,
            "run_id": self.warcinfo.get("run_id"),
            "software": self.warcinfo.get("software"),
        }


def expand(patterns: list[str]) -> list[Path]:
    """Every file the arguments name, in order, each once; StartError for a pattern that
    names none (a typo must not make an empty snapshot)."""
    paths: list[Path] = []
    for pattern in patterns:
        # Shell-style patterns with absolute paths: Path.glob takes relative patterns only.
        matched = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]  # noqa: PTH207
        found = [Path(name) for name in matched if Path(name).is_file()]
        if not found:
            raise StartError(f"{pattern}: no such archive file")
        paths += [path for path in found if path not in paths]
    return paths


def describe(path: Path) -> SourceArchive:
    try:
        size = path.stat().st_size
        digest = sha256_of(path)
        info = _warcinfo(path)
    except OSError as exc:
        raise StartError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return SourceArchive(path.absolute(), size, digest, info)


def _warcinfo(path: Path) -> dict[str, str]:
    with path.open("rb") as file:
        gzipped = file.read(len(GZIP_MAGIC)) == GZIP_MAGIC or ".gz" in path.suffixes
        file.seek(0)
        first = next(iter(records(file, gzipped=gzipped)), None)
    if not isinstance(first, Record) or first.type != "warcinfo":
        return {}
    fields = {}
    for line in first.block.decode("utf-8", "replace").splitlines():
        name, colon, value = line.partition(":")
        if colon:
            fields[name.strip()] = value.strip()
    return fields
