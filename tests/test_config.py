"""Every NEWSAGG_* setting is checked at start: a wrong one is one line, exit 2, nothing else."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import pytest
from scrapy.settings import Settings

from newsagg import settings as defaults
from newsagg.config import RULES, Config
from newsagg.errors import ConfigError
from newsagg.output.diff import SETTINGS as DIFF_SETTINGS
from tests.conftest import run_crawl

CLEAN = "newsagg.pipelines.clean.CleanPipeline"
VALIDATE = "newsagg.pipelines.validate.ValidatePipeline"
DEDUPE = "newsagg.pipelines.dedupe.DedupePipeline"


def project_settings(**overrides: object) -> Settings:
    settings = Settings()
    settings.setmodule(defaults, priority="project")
    settings.setdict(overrides, priority="cmdline")
    return settings


def test_every_default_has_a_rule_and_every_rule_a_default() -> None:
    names = {name for name in dir(defaults) if name.startswith("NEWSAGG_")}
    crawl = {f"NEWSAGG_{field.name.upper()}" for field in fields(Config)}
    assert names == crawl | set(DIFF_SETTINGS)  # newsagg-diff checks its own
    assert set(RULES) == {field.name for field in fields(Config)}


def test_the_defaults_are_valid() -> None:
    config = Config.from_settings(project_settings())
    assert (config.duplicates, config.near_dup_num_perm, config.state_busy_timeout) == (
        "mark",
        128,
        30.0,
    )
    assert config.health_min_fill_pct == {
        "title": 90.0,
        "source": 90.0,
        "published": 90.0,
        "body": 90.0,
        "source_url": 50.0,
    }


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("NEWSAGG_DUPLICATES", "bogus", "expected 'mark' or 'drop', got 'bogus'"),
        ("NEWSAGG_RETRY_BACKOFF", "-1", "expected a number >= 0, got '-1'"),
        (
            "NEWSAGG_HEALTH_MIN_FILL_PCT",
            "notjson",
            "expected a JSON object of field -> percentage, e.g. {\"title\": 90}, got 'notjson'",
        ),
        (
            "NEWSAGG_HEALTH_MIN_FILL_PCT",
            '{"headline": 90}',
            "'headline' is not a tracked field"
            " (title, source, source_url, published, body, author)",
        ),
        (
            "NEWSAGG_RUN_ID",
            "../x",
            "letters, digits, '-' and '_' only (at most 64), got '../x'",
        ),
        ("NEWSAGG_GZIP", "maybe", "expected 1 or 0 (true/false, yes/no), got 'maybe'"),
        ("NEWSAGG_MAX_PAGES", "ten", "expected a whole number >= 0, got 'ten'"),
        ("NEWSAGG_HEALTH_MAX_REJECT_PCT", "120", "expected a number from 0 to 100, got '120'"),
        ("NEWSAGG_REQUIRED_FIELDS", "title,headline", "not one of id, url, site, source"),
        ("NEWSAGG_CRASH_AT", "somewhere", "expected 'before_pending' or 'after_pending'"),
        ("NEWSAGG_DUPLICATE", "drop", "no such setting; did you mean NEWSAGG_DUPLICATES?"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        Config.from_settings(project_settings(**{name: value}))
    assert str(raised.value).startswith(f"{name}: {message}")


def test_the_dedupe_stage_is_the_last_enabled_pipeline() -> None:
    """A stage disabled with None after it does not count; a class key is named by its path."""
    from newsagg.pipelines.clean import CleanPipeline

    later = {DEDUPE: 300, VALIDATE: None, CleanPipeline: 100}
    Config.from_settings(project_settings(ITEM_PIPELINES=later))
    with pytest.raises(ConfigError, match=rf"^ITEM_PIPELINES: {DEDUPE} must be the last stage; "):
        Config.from_settings(project_settings(ITEM_PIPELINES={DEDUPE: 300, CleanPipeline: 301}))


def test_backoff_max_below_backoff_is_refused() -> None:
    settings = project_settings(NEWSAGG_RETRY_BACKOFF="10", NEWSAGG_RETRY_BACKOFF_MAX="5")
    with pytest.raises(ConfigError, match=r"^NEWSAGG_RETRY_BACKOFF_MAX: expected >= NEWSAGG_RET"):
        Config.from_settings(settings)


@pytest.mark.parametrize(
    ("settings", "line"),
    [
        (
            {"NEWSAGG_DUPLICATES": "bogus"},
            "newsagg: error: NEWSAGG_DUPLICATES: expected 'mark' or 'drop', got 'bogus'",
        ),
        (
            {"NEWSAGG_RETRY_BACKOFF": "-1"},
            "newsagg: error: NEWSAGG_RETRY_BACKOFF: expected a number >= 0, got '-1'",
        ),
        (
            {"NEWSAGG_HEALTH_MIN_FILL_PCT": "notjson"},
            "newsagg: error: NEWSAGG_HEALTH_MIN_FILL_PCT: expected a JSON object of field ->"
            " percentage, e.g. {\"title\": 90}, got 'notjson'",
        ),
        (
            {"NEWSAGG_RUN_ID": "../x"},
            "newsagg: error: NEWSAGG_RUN_ID: letters, digits, '-' and '_' only (at most 64),"
            " got '../x'",
        ),
        (
            {"ITEM_PIPELINES": json.dumps({CLEAN: 100, VALIDATE: 200})},
            f"newsagg: error: ITEM_PIPELINES: {DEDUPE} is the dedupe stage; enable it",
        ),
        (
            {"ITEM_PIPELINES": json.dumps({CLEAN: 100, DEDUPE: 300, VALIDATE: 400})},
            f"newsagg: error: ITEM_PIPELINES: {DEDUPE} must be the last stage; {VALIDATE} comes"
            " after it (give it an order below the dedupe stage's)",
        ),
        (
            {"FEEDS": '{"s3://bucket/out.jsonl": {"format": "jsonl"}}'},
            "newsagg: error: FEEDS: s3://bucket/out.jsonl: only local files can be published"
            " atomically (got s3://)",
        ),
    ],
)
def test_a_bad_setting_stops_the_crawl_with_exit_2_one_line_and_no_file(
    tmp_path: Path, settings: dict[str, str], line: str
) -> None:
    result = run_crawl(tmp_path, output=None, settings=settings, start_urls="http://127.0.0.1:9/")
    assert result.returncode == 2
    assert result.log.splitlines() == [line]  # no banner, no traceback
    assert list(tmp_path.iterdir()) == []
