"""One run per site at a time: an exclusive `flock` on `{NEWSAGG_DATA_DIR}/{site}.lock`.

The kernel releases the lock when the process ends, however it ends, so a crashed run never
leaves a stale lock; the file itself stays (deleting it would let two runs lock two files)."""

from __future__ import annotations

import fcntl
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

EXIT_LOCKED = 3


class RunLocked(Exception):
    """Another live process holds the site's lock; the message says which."""


def lock_path(data_dir: str | Path, site: str) -> Path:
    return Path(data_dir) / f"{site}.lock"


def acquire_run_lock(path: Path) -> IO[str]:
    """Lock `path` for this process and note our pid in it; keep the returned file open for as
    long as the run lasts. Raises RunLocked, naming the holder, if the lock is taken."""
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
    handle.write(f"pid {os.getpid()} since {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}\n")
    handle.flush()
    return handle
