"""`scrapy newsagg-diff OLD NEW`: two runs' records compared by id (docs/diff.md).

Exit status: 0 within the thresholds, 4 past one, 2 for input it cannot use (one line on
stderr). The file name carries the hyphen because Scrapy names a command after its module."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings

from newsagg.output.diff import DiffError, Thresholds, diff_files, format_diff, problems
from newsagg.output.diff import resolve_input as resolve

EXIT_PAST_THRESHOLD = 4
EXIT_BAD_INPUT = 2


class Command(ScrapyCommand):
    requires_project = True  # the thresholds are the project's NEWSAGG_DIFF_* settings
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, object]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[options] OLD NEW"

    def short_desc(self) -> str:
        return "Compare two runs' records by id: changed fields, added, removed"

    def long_desc(self) -> str:
        return (
            "Compare two runs' records by id. OLD and NEW are JSON Lines files (.jsonl or "
            ".jsonl.gz) or run ids of the dataset. Exit status: 0 within the thresholds, "
            f"{EXIT_PAST_THRESHOLD} past one, {EXIT_BAD_INPUT} for input it cannot use."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        group = parser.add_argument_group(title="Diff Options")
        group.add_argument(
            "--data-dir", metavar="DIR", help="dataset root for run ids (default: NEWSAGG_DATA_DIR)"
        )
        group.add_argument(
            "--ignore",
            action="append",
            default=[],
            metavar="FIELD",
            help="leave FIELD out too (repeatable; NEWSAGG_DIFF_IGNORE is always left out)",
        )
        group.add_argument(
            "--examples", default="3", metavar="N", help="examples per change (default: 3)"
        )
        group.add_argument(
            "--max-changed-pct",
            action="append",
            default=[],
            metavar="[FIELD=]PCT",
            help="most %% of the records in both whose FIELD (any field) may change (repeatable)",
        )
        group.add_argument(
            "--max-removed-pct", metavar="PCT", help="most %% of old records NEW may lack"
        )
        group.add_argument(
            "--max-added-pct", metavar="PCT", help="most records NEW may add, %% of old ones"
        )
        group.add_argument(
            "--max-duplicates", metavar="N", help="most ids on two lines of one input"
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 2:
            raise UsageError("expected two arguments: OLD NEW")
        assert self.settings is not None
        try:
            thresholds = thresholds_from(self.settings, opts)
            examples = whole_number("--examples", opts.examples)
            data_dir = Path(opts.data_dir or self.settings.get("NEWSAGG_DATA_DIR") or "data")
            old, new = (resolve(argument, data_dir) for argument in args)
            ignore = [*self.settings.getlist("NEWSAGG_DIFF_IGNORE"), *opts.ignore]
            diff = diff_files(old, new, ignore=ignore, examples=examples)
        except DiffError as exc:
            print(f"newsagg-diff: error: {exc}", file=sys.stderr)
            self.exitcode = EXIT_BAD_INPUT
            return
        past = problems(diff, thresholds)
        print(format_diff(diff, past))
        self.exitcode = EXIT_PAST_THRESHOLD if past else 0


def thresholds_from(settings: BaseSettings, opts: argparse.Namespace) -> Thresholds:
    """The NEWSAGG_DIFF_* settings, overridden by the command's options."""
    try:
        configured = settings.getdict("NEWSAGG_DIFF_MAX_CHANGED_PCT")
    except ValueError:
        raise DiffError(
            "NEWSAGG_DIFF_MAX_CHANGED_PCT: expected a JSON object of field: percentage, got"
            f" {settings.get('NEWSAGG_DIFF_MAX_CHANGED_PCT')!r}"
        ) from None
    changed = {
        name: percentage(f"NEWSAGG_DIFF_MAX_CHANGED_PCT: {name}", value)
        for name, value in configured.items()
    }
    for given in opts.max_changed_pct:
        name, _, value = given.rpartition("=")
        changed[name or "*"] = percentage(f"--max-changed-pct {given}", value)
    return Thresholds(
        max_changed_pct=changed,
        max_removed_pct=percentage(
            "--max-removed-pct" if opts.max_removed_pct else "NEWSAGG_DIFF_MAX_REMOVED_PCT",
            opts.max_removed_pct or settings.get("NEWSAGG_DIFF_MAX_REMOVED_PCT"),
        ),
        max_added_pct=percentage(
            "--max-added-pct" if opts.max_added_pct else "NEWSAGG_DIFF_MAX_ADDED_PCT",
            opts.max_added_pct or settings.get("NEWSAGG_DIFF_MAX_ADDED_PCT"),
        ),
        max_duplicates=whole_number(
            "--max-duplicates" if opts.max_duplicates else "NEWSAGG_DIFF_MAX_DUPLICATES",
            opts.max_duplicates or settings.get("NEWSAGG_DIFF_MAX_DUPLICATES"),
        ),
    )


def percentage(name: str, value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = -1.0
    if not 0 <= number <= 100:
        raise DiffError(f"{name}: expected a percentage from 0 to 100, got {value!r}")
    return number


def whole_number(name: str, value: object) -> int:
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        number = -1
    if number < 0:
        raise DiffError(f"{name}: expected a whole number >= 0, got {value!r}")
    return number
