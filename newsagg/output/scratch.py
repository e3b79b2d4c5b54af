"""A run's scratch directories in the system's temporary directory (TMPDIR): the spool of
articles waiting for their decision, a re-extraction's throwaway state. Each is named by the
process that made it, `newsagg-{kind}-{pid}-{random}`, so that the next run of that kind
removes those a killed process left (a SIGKILL runs no cleanup); the others, a live
process's, are left alone."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)


def scratch_dir(kind: str) -> Path:
    """A new scratch directory of this process, after removing those of dead processes."""
    remove_stale(kind)
    return Path(tempfile.mkdtemp(prefix=f"newsagg-{kind}-{os.getpid()}-"))


def remove_stale(kind: str) -> list[Path]:
    """Remove the scratch directories of `kind` whose process is gone; returns them."""
    removed = []
    for path in Path(tempfile.gettempdir()).glob(f"newsagg-{kind}-*-*"):
        pid = path.name.removeprefix(f"newsagg-{kind}-").split("-", 1)[0]
        if pid.isdigit() and _ours(path) and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    if removed:
        logger.info("scratch: removed %d %s directories of killed runs", len(removed), kind)
    return removed


def _ours(path: Path) -> bool:
    """A directory of this user's (a shared /tmp holds others')."""
    try:
        return path.is_dir() and path.stat().st_uid == os.getuid()
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
