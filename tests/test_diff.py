"""`scrapy newsagg-diff OLD NEW`: exact counts on crafted runs, run ids, thresholds, bad input."""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, SCRAPY, crawl_env

RUN_OLD = "20261126T101137Z-0a902a"
RUN_NEW = "20261127T101137Z-5cbd3c"
BODY = (
    "Le Conseil de gouvernement a examiné jeudi un projet de loi sur l'eau, qui prévoit de"
    " nouvelles règles pour les barrages et les nappes phréatiques du royaume."
)


def article(n: int, **fields: Any) -> dict[str, Any]:
    record = {
        "id": f"maghress:lopinion:{1000 + n}",
        "url": f"https://www.maghress.com/fr/lopinion/{1000 + n}",
        "title": f"Article {n}",
        "source": "L'opinion",
        "published": "2022-01-19",
        "body": f"{BODY} Article {n}.",
        "scraped_at": "2026-11-26T10:11:37Z",
    }
    record.update(fields)
    return {name: value for name, value in record.items() if value is not ...}


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
    path.write_bytes(gzip.compress(text) if path.suffix == ".gz" else text)
    return path


def diff(*arguments: str | Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SCRAPY, "newsagg-diff", *map(str, arguments)],
        cwd=cwd,
        env=crawl_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


OLD = [article(n) for n in range(10)]
NEW = [
    article(0, scraped_at="2026-11-27T08:00:00Z"),  # only the ignored field differs
    article(1, title="Article 1 : la suite"),
    article(2, title="Article deux", published="2022-01-20"),
    article(3, body=f"{BODY} Article 3, corrigé."),
    article(4, source=None),  # null is a change of value
    article(5, source=...),  # so is a missing field
    *(article(n) for n in range(6, 9)),  # 9 is removed
    article(10),
    article(11),
]


def test_counts_per_field_added_removed_and_examples_are_exact(tmp_path: Path) -> None:
    old = write_jsonl(tmp_path / "old.jsonl", OLD)
    new = write_jsonl(tmp_path / "new.jsonl", NEW)
    done = diff(old, new, "--examples", "1")
    assert done.stderr == ""
    assert done.returncode == 4
    assert done.stdout.splitlines() == [
        f"old  {old}  10 records",
        f"new  {new}  11 records",
        "ignored fields: scraped_at",
        "",
        "in both          9",
        "changed          5   55.6 % of the records in both",
        "added            2   20.0 % of the old count",
        "removed          1   10.0 % of the old records",
        "",
        "field        changed  % of both",
        "source             2       22.2",
        "title              2       22.2",
        "body               1       11.1",
        "published          1       11.1",
        "",
        "source, e.g.:",
        '  maghress:lopinion:1004: "L\'opinion" → null',
        "",
        "title, e.g.:",
        '  maghress:lopinion:1001: "Article 1" → "Article 1 : la suite"',
        "",
        "body, e.g.:",
        '  maghress:lopinion:1003: …s et les nappes phréatiques du royaume. Article 3."'
        ' → …s et les nappes phréatiques du royaume. Article 3, corrigé."',
        "",
        "published, e.g.:",
        '  maghress:lopinion:1002: "2022-01-19" → "2022-01-20"',
        "",
        "added, e.g.: maghress:lopinion:1010",
        "removed, e.g.: maghress:lopinion:1009",
        "",
        "past a threshold:",
        "  body: changed in 11.1 % of the records in both (1 of 9; maximum 5 %)",
        "  published: changed in 11.1 % of the records in both (1 of 9; maximum 5 %)",
        "  source: changed in 22.2 % of the records in both (2 of 9; maximum 5 %)",
        "  title: changed in 22.2 % of the records in both (2 of 9; maximum 5 %)",
        "  removed: 10.0 % of the old records (1 of 10; maximum 1 %)",
        "  added: 20.0 % of the old count (2 added to 10; maximum 5 %)",
    ]


def test_examples_show_old_and_new_values_and_a_missing_field(tmp_path: Path) -> None:
    old = write_jsonl(tmp_path / "old.jsonl", OLD)
    new = write_jsonl(tmp_path / "new.jsonl", NEW)
    lines = diff(old, new).stdout.splitlines()
    start = lines.index("source, e.g.:")
    assert lines[start : start + 4] == [
        "source, e.g.:",
        '  maghress:lopinion:1004: "L\'opinion" → null',
        '  maghress:lopinion:1005: "L\'opinion" → (absent)',
        "",
    ]
    assert "added, e.g.: maghress:lopinion:1010, maghress:lopinion:1011" in lines
    without = diff(old, new, "--examples", "0").stdout.splitlines()
    assert [line for line in without if "e.g." in line] == []
    assert without[12:15] == [
        "body               1       11.1",
        "published          1       11.1",
        "",
    ]


def test_the_same_records_with_another_scraped_at_are_within_thresholds(tmp_path: Path) -> None:
    old = write_jsonl(tmp_path / "old.jsonl", OLD)
    rescraped = [{**r, "scraped_at": "2026-12-01T00:00:00Z"} for r in reversed(OLD)]
    new = write_jsonl(tmp_path / "new.jsonl.gz", rescraped)
    done = diff(old, new)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines()[4:] == [
        "in both         10",
        "changed          0    0.0 % of the records in both",
        "added            0    0.0 % of the old count",
        "removed          0    0.0 % of the old records",
        "",
        "within thresholds",
    ]


def test_ignore_leaves_more_fields_out(tmp_path: Path) -> None:
    old = write_jsonl(tmp_path / "old.jsonl", OLD[:3])
    new = write_jsonl(tmp_path / "new.jsonl", NEW[:3])
    done = diff(old, new, "--ignore", "title", "--ignore", "published")
    assert done.returncode == 0
    assert done.stdout.splitlines()[2] == "ignored fields: published, scraped_at, title"
    assert "changed          0    0.0 % of the records in both" in done.stdout


def dataset(tmp_path: Path) -> Path:
    """OLD as a gzipped dataset run, NEW as a plain one, in the dataset layout."""
    data = tmp_path / "data"
    write_jsonl(data / "maghress" / "2026-11-26" / f"{RUN_OLD}.jsonl.gz", OLD)
    write_jsonl(data / "maghress" / "2026-11-27" / f"{RUN_NEW}.jsonl", NEW)
    return data


def test_run_ids_are_found_under_the_data_dir(tmp_path: Path) -> None:
    data = dataset(tmp_path)
    done = diff("--data-dir", data, RUN_OLD, RUN_NEW)
    assert done.returncode == 4
    assert done.stdout.splitlines()[:2] == [
        f"old  {data}/maghress/2026-11-26/{RUN_OLD}.jsonl.gz  10 records",
        f"new  {data}/maghress/2026-11-27/{RUN_NEW}.jsonl  11 records",
    ]
    by_setting = diff("-s", f"NEWSAGG_DATA_DIR={data}", RUN_OLD, RUN_NEW)
    assert by_setting.stdout == done.stdout


def test_a_file_and_a_run_id_can_be_mixed(tmp_path: Path) -> None:
    data = dataset(tmp_path)
    new = write_jsonl(tmp_path / "reextracted.jsonl", OLD)
    done = diff("--data-dir", data, RUN_OLD, new)
    assert done.returncode == 0
    assert done.stdout.splitlines()[1] == f"new  {new}  10 records"


@pytest.mark.parametrize(
    ("options", "code", "past"),
    [
        ([], 4, ["body", "published", "source", "title", "removed", "added"]),
        (["--max-changed-pct", "25", "--max-removed-pct", "10", "--max-added-pct", "20"], 0, []),
        (["--max-changed-pct", "25", "--max-removed-pct", "9.9", "--max-added-pct", "20"], 4,
         ["removed"]),
        (["--max-changed-pct", "25", "--max-changed-pct", "title=20", "--max-removed-pct", "10",
          "--max-added-pct", "20"], 4, ["title"]),
        (["-s", 'NEWSAGG_DIFF_MAX_CHANGED_PCT={"*": 25, "source": 22}', "-s",
          "NEWSAGG_DIFF_MAX_REMOVED_PCT=10", "-s", "NEWSAGG_DIFF_MAX_ADDED_PCT=20"], 4, ["source"]),
        (["-s", 'NEWSAGG_DIFF_MAX_CHANGED_PCT={"body": 0}', "--max-removed-pct", "10",
          "--max-added-pct", "20"], 4, ["body"]),  # fields without a limit may change freely
    ],
)  # fmt: skip
def test_thresholds_give_the_exit_status(
    tmp_path: Path, options: list[str], code: int, past: list[str]
) -> None:
    old = write_jsonl(tmp_path / "old.jsonl", OLD)
    new = write_jsonl(tmp_path / "new.jsonl", NEW)
    done = diff(*options, old, new)
    assert done.returncode == code, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    verdict = lines[lines.index("past a threshold:") + 1 :] if past else lines[-1:]
    assert [line.split(":")[0].strip() for line in verdict] == past or ["within thresholds"]


def test_repeated_ids_are_reported_with_their_lines(tmp_path: Path) -> None:
    old = write_jsonl(tmp_path / "old.jsonl", [*OLD[:3], article(1, title="Encore"), OLD[1]])
    new = write_jsonl(tmp_path / "new.jsonl", [*OLD[:3], OLD[2]])
    done = diff(old, new)
    assert done.returncode == 4
    lines = done.stdout.splitlines()
    assert lines[:2] == [f"old  {old}  3 records", f"new  {new}  3 records"]
    assert "changed          0    0.0 % of the records in both" in lines  # first lines compared
    assert lines[-5:] == [
        "duplicate ids in old: 1, e.g. maghress:lopinion:1001 (lines 2, 4, 5)",
        "duplicate ids in new: 1, e.g. maghress:lopinion:1002 (lines 3, 4)",
        "",
        "past a threshold:",
        "  duplicate ids: 2 (maximum 0)",
    ]
    assert diff(old, new, "--max-duplicates", "2").returncode == 0


def bad_input_cases(tmp_path: Path) -> list[tuple[list[str], str]]:
    data = dataset(tmp_path)
    write_jsonl(data / "sauress" / "2026-11-26" / f"{RUN_OLD}.jsonl", OLD)  # same id, 2 sites
    partial = data / "maghress" / "2026-11-28" / "20261128T000000Z-dead00.jsonl.gz.partial"
    partial.parent.mkdir()
    partial.write_bytes(b"")
    good = write_jsonl(tmp_path / "good.jsonl", OLD)
    not_json = tmp_path / "not-json.jsonl"
    not_json.write_text('{"id": "a"}\n\n{"id": "b",\n', encoding="utf-8")
    no_id = write_jsonl(tmp_path / "no-id.jsonl", [{"id": "a"}, {"title": "x"}])
    latin1 = tmp_path / "latin1.jsonl"
    latin1.write_bytes('{"id": "a", "title": "Publié"}\n'.encode("latin-1"))
    truncated = tmp_path / "truncated.jsonl.gz"
    truncated.write_bytes(gzip.compress(good.read_bytes())[:-30])
    day = "2026-11-26"
    ambiguous = f"{data}/maghress/{day}/{RUN_OLD}.jsonl.gz, {data}/sauress/{day}/{RUN_OLD}.jsonl"
    return [
        ([f"{tmp_path}/missing.jsonl", str(good)], f"{tmp_path}/missing.jsonl: no such file"),
        (["20990101T000000Z-000000", str(good)],
         f"20990101T000000Z-000000: no such file, and no run with that id under {data}"),
        ([RUN_OLD, str(good)], f"{RUN_OLD}: ambiguous run id, 2 files: {ambiguous}"),
        (["20261128T000000Z-dead00", str(good)],
         f"20261128T000000Z-dead00: run under {data} has only .partial files"
         " (crashed or still running)"),
        ([str(good), str(tmp_path)],
         f"{tmp_path}: is a directory, not a JSON Lines file or a run id"),
        ([str(good), str(not_json)],
         f"{not_json}: line 3: not JSON (Expecting property name enclosed in double quotes)"),
        ([str(no_id), str(good)], f'{no_id}: line 2: not a record with an "id" string'),
        ([str(good), str(latin1)], f"{latin1}: line 1: not UTF-8"),
        ([str(good), str(truncated)], f"{truncated}: line 9: cannot be read (Compressed file"
         " ended before the end-of-stream marker was reached)"),
        (["--examples", "-1", str(good), str(good)],
         "--examples: expected a whole number >= 0, got '-1'"),
        (["--max-changed-pct", "title=lots", str(good), str(good)],
         "--max-changed-pct title=lots: expected a percentage from 0 to 100, got 'lots'"),
        (["-s", "NEWSAGG_DIFF_MAX_REMOVED_PCT=101", str(good), str(good)],
         "NEWSAGG_DIFF_MAX_REMOVED_PCT: expected a percentage from 0 to 100, got '101'"),
        (["-s", "NEWSAGG_DIFF_MAX_CHANGED_PCT={title: 5}", str(good), str(good)],
         "NEWSAGG_DIFF_MAX_CHANGED_PCT: expected a JSON object of field: percentage, got"
         " '{title: 5}'"),
    ]  # fmt: skip


def test_bad_input_exits_2_with_one_line_naming_it(tmp_path: Path) -> None:
    for arguments, message in bad_input_cases(tmp_path):
        done = diff("--data-dir", tmp_path / "data", *arguments)
        assert (done.returncode, done.stdout) == (2, ""), arguments
        assert done.stderr == f"newsagg-diff: error: {message}\n"
