"""Two sets of records compared by `id`, field by field: what `scrapy newsagg-diff` prints.

OLD is held as fingerprints (one 64-bit hash per field), NEW is streamed against them: a run
of a few hundred thousand ~5 KB records would take gigabytes as dicts, its fingerprints take
about 100 MB. The old values the examples show are read back in a second pass over OLD, only
when there are examples to show. Two different values share a fingerprint with odds of about
2**-64 per comparison."""

from __future__ import annotations

import gzip
import json
import re
import struct
import zlib
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from pathlib import Path
from typing import IO, Any

from newsagg.output.storage import PARTIAL_SUFFIX

# The settings of `scrapy newsagg-diff`, which checks them itself (the crawl only knows them).
SETTINGS = (
    "NEWSAGG_DIFF_IGNORE",
    "NEWSAGG_DIFF_MAX_CHANGED_PCT",
    "NEWSAGG_DIFF_MAX_REMOVED_PCT",
    "NEWSAGG_DIFF_MAX_ADDED_PCT",
    "NEWSAGG_DIFF_MAX_DUPLICATES",
)
_RUN_ID = re.compile(r"[A-Za-z0-9_-]+")
_GZIP_MAGIC = b"\x1f\x8b"


class DiffError(ValueError):
    """Input the diff cannot use; the message is one line naming the file (and line) or the
    option."""


class _Absent:
    """A field missing from one side's record (not the same as a JSON null)."""

    def __repr__(self) -> str:
        return "(absent)"


ABSENT: Any = _Absent()


@dataclass(frozen=True, slots=True)
class Example:
    id: str
    old: Any  # ABSENT when OLD's record has no such field
    new: Any


@dataclass(slots=True)
class Diff:
    """What changed from OLD to NEW. Counts are of distinct ids; a repeated id is compared
    once (its first line) and listed in `*_duplicates` with every line it is on."""

    old_path: Path
    new_path: Path
    ignored: tuple[str, ...]
    old_records: int = 0
    new_records: int = 0
    common: int = 0  # ids in both
    added: int = 0  # ids only in NEW
    removed: int = 0  # ids only in OLD
    changed_records: int = 0  # ids in both with at least one field changed
    changed: dict[str, int] = field(default_factory=dict)  # field -> ids whose value changed
    examples: dict[str, list[Example]] = field(default_factory=dict)
    added_examples: list[str] = field(default_factory=list)
    removed_examples: list[str] = field(default_factory=list)
    old_duplicates: dict[str, list[int]] = field(default_factory=dict)  # id -> its line numbers
    new_duplicates: dict[str, list[int]] = field(default_factory=dict)

    def changed_pct(self, name: str) -> float:
        return percent(self.changed.get(name, 0), self.common)

    @property
    def added_pct(self) -> float:
        """Added records as a share of OLD's records."""
        return percent(self.added, self.old_records)

    @property
    def removed_pct(self) -> float:
        return percent(self.removed, self.old_records)

    @property
    def duplicate_ids(self) -> int:
        return len(self.old_duplicates) + len(self.new_duplicates)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """How much may change before the diff fails (`problems()`); a share is past its
    maximum when it is greater."""

    max_changed_pct: Mapping[str, float]  # per field; "*" for every field not named
    max_removed_pct: float
    max_added_pct: float
    max_duplicates: int  # ids on more than one line of one input, both inputs together

    def changed_limit(self, name: str) -> float | None:
        return self.max_changed_pct.get(name, self.max_changed_pct.get("*"))


def percent(part: int, whole: int) -> float:
    """`part` as a percentage of `whole`; of nothing, any part is all of it."""
    if whole == 0:
        return 100.0 if part else 0.0
    return 100.0 * part / whole


def resolve_input(argument: str, data_dir: Path) -> Path:
    """A JSON Lines file, or the published file of a run id under the dataset root
    (`{data_dir}/{site}/{day}/{run_id}.jsonl.gz` or `.jsonl`)."""
    path = Path(argument)
    if path.is_file():
        return path
    if path.is_dir():
        raise DiffError(f"{argument}: is a directory, not a JSON Lines file or a run id")
    if not _RUN_ID.fullmatch(argument):
        raise DiffError(f"{argument}: no such file")
    found = [*data_dir.glob(f"*/*/{argument}.jsonl.gz"), *data_dir.glob(f"*/*/{argument}.jsonl")]
    if len(found) == 1:
        return found[0]
    if found:
        names = ", ".join(str(p) for p in sorted(found))
        raise DiffError(f"{argument}: ambiguous run id, {len(found)} files: {names}")
    if any(data_dir.glob(f"*/*/{argument}.jsonl*{PARTIAL_SUFFIX}")):
        raise DiffError(
            f"{argument}: run under {data_dir} has only .partial files (crashed or still running)"
        )
    raise DiffError(f"{argument}: no such file, and no run with that id under {data_dir}")


def read_records(path: Path) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """(line number, id, record) for each non-blank line of a JSON Lines file, gzipped or not."""
    try:
        handle = _open(path)
    except OSError as exc:
        raise DiffError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    number = 0
    with handle:
        try:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except UnicodeDecodeError:
                    raise DiffError(f"{path}: line {number}: not UTF-8") from None
                except ValueError as exc:
                    reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
                    raise DiffError(f"{path}: line {number}: not JSON ({reason})") from None
                if not isinstance(record, dict) or not isinstance(record.get("id"), str):
                    raise DiffError(f'{path}: line {number}: not a record with an "id" string')
                yield number, record["id"], record
        except (OSError, EOFError, zlib.error) as exc:  # a damaged or truncated gzip file
            raise DiffError(f"{path}: line {number + 1}: cannot be read ({exc})") from None


def _open(path: Path) -> IO[bytes]:
    with path.open("rb") as probe:
        gzipped = probe.read(2) == _GZIP_MAGIC
    return gzip.open(path, "rb") if gzipped else path.open("rb")


def diff_files(old: Path, new: Path, *, ignore: Collection[str], examples: int) -> Diff:
    """Compare NEW to OLD by id, leaving out the `ignore`d fields; keep up to `examples`
    examples per changed field, and of the added and removed ids."""
    result = Diff(old, new, tuple(sorted(ignore)))
    index = _OldIndex(frozenset(ignore))
    for number, record_id, record in read_records(old):
        if not index.add(number, record_id, record):
            first = index.entries[record_id][0]
            _note_duplicate(result.old_duplicates, record_id, first, number)
    result.old_records = len(index.entries)

    new_lines: dict[str, int] = {}  # id -> first line in NEW
    wanted: dict[int, list[tuple[str, int]]] = {}  # OLD line -> examples (field, index) it gives
    for number, record_id, record in read_records(new):
        first = new_lines.setdefault(record_id, number)
        if first != number:
            _note_duplicate(result.new_duplicates, record_id, first, number)
            continue
        compared = index.compare(record_id, record)
        if compared is None:
            result.added += 1
            if len(result.added_examples) < examples:
                result.added_examples.append(record_id)
            continue
        old_line, changed = compared
        result.common += 1
        if changed:
            result.changed_records += 1
        for name in changed:
            result.changed[name] = result.changed.get(name, 0) + 1
            kept = result.examples.setdefault(name, [])
            if len(kept) < examples:
                wanted.setdefault(old_line, []).append((name, len(kept)))
                kept.append(Example(record_id, ABSENT, record.get(name, ABSENT)))
    result.new_records = len(new_lines)
    result.removed = len(index.entries)
    result.removed_examples = list(islice(index.entries, examples))
    if wanted:
        _fill_old_values(result, wanted)
    return result


def problems(diff: Diff, thresholds: Thresholds) -> list[str]:
    """One line per threshold the diff is past; none means the diff passes."""
    found = []
    for name, count in sorted(diff.changed.items()):
        limit = thresholds.changed_limit(name)
        if limit is not None and diff.changed_pct(name) > limit:
            found.append(
                f"{name}: changed in {_pct(diff.changed_pct(name))} of the records in both"
                f" ({count} of {diff.common}; maximum {limit:g} %)"
            )
    if diff.removed_pct > thresholds.max_removed_pct:
        found.append(
            f"removed: {_pct(diff.removed_pct)} of the old records ({diff.removed} of"
            f" {diff.old_records}; maximum {thresholds.max_removed_pct:g} %)"
        )
    if diff.added_pct > thresholds.max_added_pct:
        found.append(
            f"added: {_pct(diff.added_pct)} of the old count ({diff.added} added to"
            f" {diff.old_records}; maximum {thresholds.max_added_pct:g} %)"
        )
    if diff.duplicate_ids > thresholds.max_duplicates:
        found.append(f"duplicate ids: {diff.duplicate_ids} (maximum {thresholds.max_duplicates})")
    return found


def format_diff(diff: Diff, past: list[str], width: int = 60) -> str:
    """The report: inputs, counts, changes per field with examples, duplicates, verdict."""
    share_of_both = percent(diff.changed_records, diff.common)
    lines = [
        f"old  {diff.old_path}  {diff.old_records} records",
        f"new  {diff.new_path}  {diff.new_records} records",
        f"ignored fields: {', '.join(diff.ignored) or 'none'}",
        "",
        f"in both  {diff.common:>9}",
        f"changed  {diff.changed_records:>9}  {share_of_both:5.1f} % of the records in both",
        f"added    {diff.added:>9}  {diff.added_pct:5.1f} % of the old count",
        f"removed  {diff.removed:>9}  {diff.removed_pct:5.1f} % of the old records",
    ]
    if diff.changed:
        ranked = sorted(diff.changed.items(), key=lambda pair: (-pair[1], pair[0]))
        name_width = max(len("field"), *(len(name) for name, _ in ranked))
        lines += ["", f"{'field':<{name_width}}  {'changed':>9}  % of both"]
        lines += [
            f"{name:<{name_width}}  {count:>9}  {diff.changed_pct(name):9.1f}"
            for name, count in ranked
        ]
        for name, _ in ranked:
            if not diff.examples[name]:
                continue  # --examples 0
            lines += ["", f"{name}, e.g.:"]
            lines += [f"  {e.id}: {_excerpts(e.old, e.new, width)}" for e in diff.examples[name]]
    listed = [("added", diff.added_examples), ("removed", diff.removed_examples)]
    if any(ids for _, ids in listed):
        lines.append("")
    lines += [f"{what}, e.g.: {', '.join(ids)}" for what, ids in listed if ids]
    for side, duplicates in (("old", diff.old_duplicates), ("new", diff.new_duplicates)):
        if duplicates:
            shown = "; ".join(
                f"{record_id} (lines {', '.join(map(str, numbers))})"
                for record_id, numbers in list(duplicates.items())[:3]
            )
            lines.append(f"duplicate ids in {side}: {len(duplicates)}, e.g. {shown}")
    lines.append("")
    if past:
        lines.append("past a threshold:")
        lines += [f"  {problem}" for problem in past]
    else:
        lines.append("within thresholds")
    return "\n".join(lines)


class _OldIndex:
    """OLD's records as id -> (line, field names, packed field fingerprints)."""

    def __init__(self, ignore: frozenset[str]) -> None:
        self.ignore = ignore
        self.entries: dict[str, tuple[int, tuple[str, ...], bytes]] = {}
        self._names: dict[tuple[str, ...], tuple[str, ...]] = {}  # one tuple per field set

    def add(self, number: int, record_id: str, record: Mapping[str, Any]) -> bool:
        """Index a record; False (and nothing kept) if its id is already indexed."""
        if record_id in self.entries:
            return False
        names, values = self._fingerprints(record)
        self.entries[record_id] = (number, names, _packer(len(values)).pack(*values))
        return True

    def compare(self, record_id: str, record: Mapping[str, Any]) -> tuple[int, list[str]] | None:
        """OLD's line for that id and the fields whose value differs there, sorted (OLD's
        record leaves the index); None if OLD has no record of that id."""
        entry = self.entries.pop(record_id, None)
        if entry is None:
            return None
        line, old_names, packed = entry
        names, values = self._fingerprints(record)
        if names is old_names and _packer(len(values)).pack(*values) == packed:
            return line, []
        old = dict(zip(old_names, _packer(len(old_names)).unpack(packed), strict=True))
        new = dict(zip(names, values, strict=True))
        changed = [name for name in old.keys() | new.keys() if old.get(name) != new.get(name)]
        return line, sorted(changed)

    def _fingerprints(self, record: Mapping[str, Any]) -> tuple[tuple[str, ...], list[int]]:
        names = tuple(sorted(name for name in record if name not in self.ignore))
        names = self._names.setdefault(names, names)
        return names, [_fingerprint(record[name]) for name in names]


@cache
def _packer(count: int) -> struct.Struct:
    return struct.Struct(f"{count}q")


def _fingerprint(value: Any) -> int:
    """A 64-bit hash of a JSON value; types count (the string "1" is not the number 1)."""
    if isinstance(value, str):
        return hash(value)
    return hash(("json", json.dumps(value, sort_keys=True, ensure_ascii=False)))


def _note_duplicate(found: dict[str, list[int]], record_id: str, first: int, line: int) -> None:
    found.setdefault(record_id, [first]).append(line)


def _fill_old_values(diff: Diff, wanted: dict[int, list[tuple[str, int]]]) -> None:
    """Read OLD again for the old value of every example, stopping once all are found."""
    for number, _, record in read_records(diff.old_path):
        for name, position in wanted.pop(number, ()):
            example = diff.examples[name][position]
            diff.examples[name][position] = Example(
                example.id, record.get(name, ABSENT), example.new
            )
        if not wanted:
            return


def _pct(value: float) -> str:
    return f"{value:.1f} %"


def _excerpts(old: Any, new: Any, width: int) -> str:
    """`old → new`, as JSON, each cut to about `width` characters around where they differ."""
    texts = [None if v is ABSENT else json.dumps(v, ensure_ascii=False) for v in (old, new)]
    same = 0
    if texts[0] is not None and texts[1] is not None:
        limit = min(len(texts[0]), len(texts[1]))
        while same < limit and texts[0][same] == texts[1][same]:
            same += 1
    longest = max(len(t) for t in texts if t is not None)
    # Start a little before the first difference, but show a full width where the texts allow.
    start = max(0, min(same - width // 4, longest - width)) if same > width // 2 else 0
    return " → ".join(repr(ABSENT) if t is None else _cut(t, start, width) for t in texts)


def _cut(text: str, start: int, width: int) -> str:
    head = "…" if start else ""
    tail = "…" if start + width < len(text) else ""
    return f"{head}{text[start : start + width]}{tail}"
