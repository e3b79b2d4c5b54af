"""The files a run will publish, and the first thing that went wrong writing them.

Every writer (feed storages, the rejects log) registers its `.partial` file here as soon as it
opens it, so the publish step knows each one: to journal, rename and list it in the manifest
when all is well, and to delete it when the run cannot be published."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(slots=True)
class OutputFile:
    kind: str  # "items" or "rejects"
    partial: Path
    final: Path
    stored: bool = False  # written, flushed, fsynced and closed
    rows: int = 0


@dataclass(frozen=True, slots=True)
class Failure:
    step: str  # the publish step that failed: "write_feeds", "record_pending"...
    message: str


@dataclass(slots=True)
class RunFiles:
    files: list[OutputFile] = field(default_factory=list)
    failure: Failure | None = None  # the first one: what the run's exit line names

    def add(self, kind: str, partial: Path, final: Path) -> OutputFile:
        for existing in self.files:
            if existing.partial == partial:
                return existing
        output = OutputFile(kind, partial, final)
        self.files.append(output)
        return output

    def stored(self, partial: Path, rows: int | None = None) -> None:
        for output in self.files:
            if output.partial == partial:
                output.stored = True
                if rows is not None:
                    output.rows = rows

    def set_rows(self, partial: Path, rows: int) -> None:
        for output in self.files:
            if output.partial == partial:
                output.rows = rows

    def failed(self, step: str, message: str) -> None:
        if self.failure is None:
            self.failure = Failure(step, message)

    def of_kind(self, kind: str) -> list[OutputFile]:
        return [output for output in self.files if output.kind == kind]

    def discard(self) -> None:
        """The run is not published: delete whatever it left aside."""
        for output in self.files:
            output.partial.unlink(missing_ok=True)
