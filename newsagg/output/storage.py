"""Files written aside and renamed into place: a reader never sees half a file.

`AtomicFileFeedStorage` is the feed storage of every local feed: it writes `<path>.partial`
and, when Scrapy stores the feed, only flushes, fsyncs and closes it. The rename is the publish
step's (newsagg.output.publish), after the run is journaled in the state."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import IO, Any, Self

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FileFeedStorage

from newsagg.output.files import RunFiles

PARTIAL_SUFFIX = ".partial"


def partial_path(path: Path) -> Path:
    return path.with_name(path.name + PARTIAL_SUFFIX)


class AtomicFileFeedStorage(FileFeedStorage):
    """Writes `<path>.partial` (append mode, `-o`, starts it as a copy of the existing file, so
    the rename loses no row) and hands it to the run's files to publish."""

    def __init__(
        self, uri: str, *, feed_options: dict[str, Any] | None = None, files: RunFiles
    ) -> None:
        super().__init__(uri, feed_options=feed_options)
        self.final_path = Path(self.path).absolute()
        self.partial_path = partial_path(self.final_path)
        self.files = files

    @classmethod
    def from_crawler(
        cls, crawler: Crawler, uri: str, *, feed_options: dict[str, Any] | None = None
    ) -> Self:
        from newsagg.run import run_context  # here: the context imports this module

        return cls(uri, feed_options=feed_options, files=run_context(crawler).files)

    def open(self, spider: Spider) -> IO[bytes]:
        self.files.add("items", self.partial_path, self.final_path)  # before it can fail
        self.final_path.parent.mkdir(parents=True, exist_ok=True)
        if self.write_mode == "ab" and self.final_path.exists():
            shutil.copyfile(self.final_path, self.partial_path)
        return self.partial_path.open(self.write_mode)

    def store(self, file: IO[bytes]) -> None:
        try:
            close_durably(file)
        except OSError as exc:
            self.files.failed("write_feeds", f"{self.partial_path}: {exc}")
            raise
        self.files.stored(self.partial_path)


def close_durably(handle: IO[Any]) -> None:
    """Flush, fsync and close: the bytes are on disk before anything renames the file."""
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()


def write_atomically(path: Path, text: str) -> None:
    """`text` to `path` by way of `<path>.partial` and a rename: readers see old or new, whole."""
    partial = partial_path(path)
    handle = partial.open("w", encoding="utf-8")
    try:
        handle.write(text)
        close_durably(handle)
    finally:
        handle.close()
    partial.replace(path)
    fsync_directory(path.parent)


def fsync_directory(path: Path) -> None:
    """Make a rename in `path` durable (the directory entry, not only the file's bytes)."""
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
