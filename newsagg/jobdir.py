"""JOBDIR (pause and resume) made safe against a kill: a marker file says whether the job
directory's queue and `spider.state` can be trusted.

Scrapy saves `spider.state` and the queue's position only when the spider closes. After a
SIGKILL (or a run whose publish failed) they disagree with what the state committed, and a
resume would skip requested-but-unpublished articles. So the marker `newsagg-job.json` says
`running` from the moment the spider opens until the run is published: a start that finds
`running` refuses the directory (exit 2), naming it. A run that finished clears Scrapy's files,
so the next scheduled run with the same JOBDIR starts afresh; a paused one (`shutdown`) keeps
them for the resume."""

from __future__ import annotations

import json
import os
import pickle
import shutil
from pathlib import Path

from newsagg.errors import StartError
from newsagg.output.storage import write_atomically
from newsagg.timefmt import utc_stamp

MARKER = "newsagg-job.json"
SCRAPY_FILES = ("requests.queue", "requests.seen", "spider.state")
RUNNING, PAUSED, FINISHED = "running", "paused", "finished"


class JobDir:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.marker = path / MARKER

    @classmethod
    def check(cls, path: str) -> JobDir:
        """The job directory, if it can be resumed or started from; StartError naming it if a
        run left it unfinished or its saved spider state does not load."""
        jobdir = cls(Path(path).expanduser())
        marker = jobdir.read_marker()
        if marker.get("status") == RUNNING:
            raise StartError(
                f"JOBDIR {jobdir.path}: run {marker.get('run_id', '?')} (pid"
                f" {marker.get('pid', '?')}) did not end cleanly (killed, or its publish"
                " failed), so its queue cannot be trusted; delete the directory to start"
                " afresh (the state holds everything that run published)"
            )
        saved = jobdir.path / "spider.state"
        if saved.exists():
            try:
                with saved.open("rb") as handle:
                    pickle.load(handle)
            except Exception as exc:  # any unpickling failure means the same: damaged
                raise StartError(
                    f"JOBDIR {jobdir.path}: spider.state cannot be read ({exc}); delete the"
                    " directory to start afresh"
                ) from None
        return jobdir

    def read_marker(self) -> dict[str, object]:
        if not self.marker.exists():
            return {}
        try:
            data = json.loads(self.marker.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StartError(f"JOBDIR {self.path}: {MARKER} cannot be read ({exc})") from None
        return data if isinstance(data, dict) else {}

    def mark(self, status: str, run_id: str) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        record = {"status": status, "run_id": run_id, "pid": os.getpid(), "at": utc_stamp()}
        write_atomically(self.marker, json.dumps(record) + "\n")

    def finish(self, run_id: str, *, paused: bool) -> None:
        """The run is published: keep the queue for a resume, or clear it after a full run."""
        if not paused:
            for name in SCRAPY_FILES:
                target = self.path / name
                if target.is_dir():
                    shutil.rmtree(target)
                elif target.exists():
                    target.unlink()
        self.mark(PAUSED if paused else FINISHED, run_id)
