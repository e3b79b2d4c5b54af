"""At start, before anything is requested: every unfinished run of the site is resolved.

A *pending* run (killed between journaling and commit) is rolled forward when its items can
be put in place: a file is in place when the final path holds the journaled bytes (sha256),
and is put there when its `.partial` still does. Its rows are then committed, so its articles
are neither lost nor written again. A pending run none of whose items files can be put in
place published nothing: its rows are discarded (its articles will be fetched again) and its
leftovers deleted. A *committed* run (killed before its manifest or latest.json) gets them
written from the journal."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from newsagg.output.storage import fsync_directory, sha256_of, write_atomically
from newsagg.state.store import COMMITTED, RunFile, RunJournal

if TYPE_CHECKING:
    from newsagg.run import RunContext

logger = logging.getLogger(__name__)


def recover(context: RunContext) -> None:
    store = context.store
    for journal in store.unfinished_runs(context.site):
        if journal.status == COMMITTED:
            write_manifest_and_latest(journal)
            store.finish_run(journal.run_id)
            logger.warning(
                "recovery: run %s of %s was committed but not announced: manifest and"
                " latest.json written now",
                journal.run_id,
                context.site,
            )
            continue
        placed = {file.final: put_in_place(file) for file in journal.files}
        items = [file for file in journal.files if file.kind == "items"]
        if items and not any(placed[file.final] for file in items):
            for file in journal.files:
                Path(file.partial).unlink(missing_ok=True)
            store.discard_run(journal.run_id)
            logger.warning(
                "recovery: run %s of %s was killed before publishing: its %s discarded, its"
                " articles will be fetched again",
                journal.run_id,
                context.site,
                ", ".join(file.final for file in items),
            )
            continue
        for file in journal.files:
            if not placed[file.final]:
                logger.warning(
                    "recovery: run %s: %s is neither in place nor aside (deleted?)",
                    journal.run_id,
                    file.final,
                )
        count = store.commit_run(journal.run_id)
        if journal.manifest is not None:
            write_manifest_and_latest(journal)
            store.finish_run(journal.run_id)
        logger.warning(
            "recovery: run %s of %s was killed while publishing: its files are in place and"
            " its %d articles are now recorded",
            journal.run_id,
            context.site,
            count,
        )


def put_in_place(file: RunFile) -> bool:
    """Whether `file.final` holds the journaled bytes, renaming the `.partial` there if it
    does instead."""
    final, partial = Path(file.final), Path(file.partial)
    if final.is_file() and sha256_of(final) == file.sha256:
        partial.unlink(missing_ok=True)
        return True
    if partial.is_file() and sha256_of(partial) == file.sha256:
        partial.replace(final)
        fsync_directory(final.parent)
        return True
    return False


def write_manifest_and_latest(journal: RunJournal) -> None:
    if journal.manifest is None or journal.manifest_path is None:
        return
    write_atomically(Path(journal.manifest_path), journal.manifest)
    if journal.latest_path is not None:
        from newsagg.output.manifest import latest_pointer  # here: manifest imports much

        pointer = Path(journal.latest_path)
        write_atomically(
            pointer, latest_pointer(journal.manifest, Path(journal.manifest_path), pointer)
        )
