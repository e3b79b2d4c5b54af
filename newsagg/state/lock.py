"""One run per site and state at a time: an exclusive `flock` on a file beside the state,
`{state file}.{site}.lock`.

The lock belongs to the state, not to the output: two runs of one site on one state would each
resolve the other's pending run and write the same articles twice, whatever data directories
they publish into. The kernel releases the lock when the process ends, however it ends, so a
crashed run never leaves a stale lock; the file itself stays (deleting it would let two runs
lock two files)."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from newsagg.timefmt import utc_stamp


class RunLocked(Exception):
    """Another live process holds the site's lock; the message says which."""


class SiteLock:
    """A held lock; `release()` (or the end of the process) frees it."""

    def __init__(self, path: Path, handle: IO[str]) -> None:
        self.path = path
        self.handle = handle

    @classmethod
    def acquire(cls, path: Path) -> SiteLock:
        """Lock `path` for this process and note our pid in it. Raises RunLocked, naming the
        holder, if the lock is taken; OSError if the file cannot be created."""
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown process"
            handle.close()
            raise RunLocked(f"another run holds {path} ({holder})") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {utc_stamp()}\n")
        handle.flush()
        return cls(path, handle)

    def release(self) -> None:
        if not self.handle.closed:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()


def lock_path(state_file: str, site: str) -> Path:
    """The lock file of `site` on the state file `state_file`."""
    path = Path(state_file).expanduser()
    return path.with_name(f"{path.name}.{site}.lock")
