"""Bad spider arguments: one clear line, exit status 2, and no output file."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsagg.dedupe.fingerprint import MinHasher
from newsagg.state.store import open_state_store
from tests.conftest import run_crawl


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"site": None},
            "newsagg: error: site: required (-a site=NAME); known sites: djazairess, maghress,"
            " masress, sauress, sudaress, turess, yemeress",
        ),
        (
            {"site": "maghres"},
            "newsagg: error: site: unknown site 'maghres'; known sites: djazairess, maghress,"
            " masress, sauress, sudaress, turess, yemeress",
        ),
        (
            {"lang": "fr,de"},
            "newsagg: error: lang: maghress has no de edition; it has ar, fr, es",
        ),
        ({"max_pages": "0"}, "newsagg: error: max_pages: expected a whole number >= 1, got '0'"),
        (
            {"max_pages": "many"},
            "newsagg: error: max_pages: expected a whole number >= 1, got 'many'",
        ),
        ({"since": "19/01/2022"}, "newsagg: error: since: expected YYYY-MM-DD, got '19/01/2022'"),
        (
            {"start_urls": "ftp://example.org/"},
            "newsagg: error: start_urls: not an http(s) URL: 'ftp://example.org/'",
        ),
        (
            {"sources": "lopinion,le matin"},
            "newsagg: error: sources: not outlet slugs: le matin (e.g. lopinion,lematin)",
        ),
        (
            {"replay": "/nonexistent/archive.warc.gz"},
            "newsagg: error: replay: no such archive file: '/nonexistent/archive.warc.gz'",
        ),
        (
            {"sitee": "maghress"},
            "newsagg: error: unknown argument(s) sitee; accepted: site, lang, sources,"
            " base_url, start_urls, max_pages, since, replay, full",
        ),
    ],
)
def test_bad_argument_exits_2_with_one_line_and_no_output(
    tmp_path: Path, arguments: dict[str, str | None], message: str
) -> None:
    site = arguments.pop("site", "maghress")
    result = run_crawl(tmp_path, site=site, **{k: v for k, v in arguments.items() if v})

    assert result.returncode == 2
    assert message in result.log.splitlines()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"NEWSAGG_NEAR_DUP_NUM_PERM": "64"},
            "newsagg: error: NEWSAGG_NEAR_DUP_NUM_PERM: state {state} holds signatures made with"
            " 'minhash=affine32 seed=1 shingle=5 num_perm=128 bands=25x5'; these settings make"
            " 'minhash=affine32 seed=1 shingle=5 num_perm=64 bands=16x4'. Use the settings the"
            " state was built with, or a new NEWSAGG_STATE file.",
        ),
        (
            {"NEWSAGG_NEAR_DUP_THRESHOLD": "1.5"},
            "newsagg: error: NEWSAGG_NEAR_DUP_THRESHOLD: expected a number from 0.01 to 1,"
            " got '1.5'",
        ),
    ],
)
def test_near_duplicate_settings_the_state_cannot_use_exit_2_with_one_line(
    tmp_path: Path, settings: dict[str, str], message: str
) -> None:
    state = tmp_path / "state" / "state.sqlite3"
    state.parent.mkdir()
    store = open_state_store(str(state))
    store.rebuild_index(MinHasher.create(0.8, 128).params, None)  # as a first run leaves it
    store.close()
    run_dir = tmp_path / "run"
    run_dir.mkdir()

    result = run_crawl(run_dir, settings={"NEWSAGG_STATE": str(state), **settings})

    assert result.returncode == 2
    assert message.format(state=state) in result.log.splitlines()
    assert "Traceback" not in result.log
    assert list(run_dir.iterdir()) == []
