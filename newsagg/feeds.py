"""Feed storage that never leaves a half-written file where readers look."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import IO, Any

from scrapy import Spider
from scrapy.extensions.feedexport import FileFeedStorage

PARTIAL_SUFFIX = ".partial"


class AtomicFileFeedStorage(FileFeedStorage):
    """Writes `<path>.partial`, then renames it onto `<path>` when the feed closes.

    A run that dies leaves only the `.partial` file, clearly marked. Append mode (`-o`) starts
    the partial file as a copy of the existing output so the rename never loses rows."""

    def __init__(self, uri: str, *, feed_options: dict[str, Any] | None = None) -> None:
        super().__init__(uri, feed_options=feed_options)
        self.final_path = Path(self.path)
        self.partial_path = self.final_path.with_name(self.final_path.name + PARTIAL_SUFFIX)

    def open(self, spider: Spider) -> IO[bytes]:
        self.final_path.parent.mkdir(parents=True, exist_ok=True)
        if self.write_mode == "ab" and self.final_path.exists():
            shutil.copyfile(self.final_path, self.partial_path)
        return self.partial_path.open(self.write_mode)

    def store(self, file: IO[bytes]) -> None:
        file.flush()
        os.fsync(file.fileno())
        file.close()
        self.partial_path.replace(self.final_path)


def write_atomically(path: Path, text: str) -> None:
    """`text` to `path` by way of `<path>.partial` and a rename: readers see old or new, whole."""
    partial = path.with_name(path.name + PARTIAL_SUFFIX)
    with partial.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(path)
