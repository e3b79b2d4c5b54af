"""Every `NEWSAGG_*` setting, checked once at start and turned into one typed, frozen `Config`.

A wrong value (type, range, allowed values) or an unknown `NEWSAGG_*` name (a typo would
otherwise be ignored) raises `ConfigError` with one line naming the setting, before anything is
requested. The defaults live in `newsagg/settings.py`; a default without a rule here is a bug
that `tests/test_config.py` catches."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any, Self

from scrapy.settings import BaseSettings

from newsagg.errors import ConfigError
from newsagg.items import FILL_FIELDS, Article
from newsagg.output.diff import SETTINGS as DIFF_SETTINGS

RUN_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
ARTICLE_FIELDS = tuple(field.name for field in fields(Article))
# Named points of the publish step where a test may have the process SIGKILL itself.
CRASH_POINTS = (
    "before_pending",
    "after_pending",
    "mid_rename",
    "after_rename",
    "after_commit",
    "after_manifest",
    "after_latest",
)
_BOOLEANS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


@dataclass(frozen=True, slots=True)
class Config:
    """The validated `NEWSAGG_*` settings (README "Settings" documents each)."""

    contact_url: str
    required_fields: tuple[str, ...]
    rejects: str
    validate_schema: bool
    replay: str
    max_pages: int
    data_dir: str
    gzip: bool
    run_id: str
    gc_freeze: bool
    gc_threshold: int
    progress_interval: float
    health_max_reject_pct: float
    health_max_http_error_pct: float
    health_min_fill_pct: Mapping[str, float]
    health_min_sample: int
    health_finish_reasons: tuple[str, ...]
    retry_backoff: float
    retry_backoff_max: float
    state: str
    state_busy_timeout: float
    duplicates: str
    near_dup_threshold: float
    near_dup_num_perm: int
    stop_after_known_pages: int
    full: bool
    stage_timers: bool
    crash_at: str
    backend: str
    worker: str
    worker_timeout: float
    archive: str
    archive_max_bytes: int

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        """Every rule applied; the first problem raises `ConfigError` naming the setting."""
        known = {f"NEWSAGG_{f.name.upper()}" for f in fields(cls)} | set(DIFF_SETTINGS)
        for name, _ in settings.items():
            if name.startswith("NEWSAGG_") and name not in known:
                close = difflib.get_close_matches(name, sorted(known), n=1)
                hint = f"; did you mean {close[0]}?" if close else ""
                raise ConfigError(f"{name}: no such setting{hint}")
        values = {}
        for field in fields(cls):
            name = f"NEWSAGG_{field.name.upper()}"
            rule = RULES[field.name]
            try:
                values[field.name] = rule(settings.get(name))
            except (TypeError, ValueError) as exc:
                raise ConfigError(f"{name}: {exc}") from None
        config = cls(**values)
        _check_pipelines(settings)
        if config.retry_backoff_max < config.retry_backoff:
            raise ConfigError(
                f"NEWSAGG_RETRY_BACKOFF_MAX: expected >= NEWSAGG_RETRY_BACKOFF"
                f" ({config.retry_backoff:g}), got {config.retry_backoff_max:g}"
            )
        return config


DEDUPE_PIPELINE = "newsagg.pipelines.dedupe.DedupePipeline"


def _check_pipelines(settings: BaseSettings) -> None:
    """The dedupe stage enabled, and last: what a later stage dropped or replaced would have
    its duplicate decision made all the same (ConfigError otherwise)."""
    enabled = {}
    for key, order in settings.getwithbase("ITEM_PIPELINES").items():
        if order is not None:
            name = key if isinstance(key, str) else f"{key.__module__}.{key.__qualname__}"
            enabled[name] = order
    if DEDUPE_PIPELINE not in enabled:
        raise ConfigError(f"ITEM_PIPELINES: {DEDUPE_PIPELINE} is the dedupe stage; enable it")
    later = sorted(name for name, order in enabled.items() if order > enabled[DEDUPE_PIPELINE])
    if later:
        raise ConfigError(
            f"ITEM_PIPELINES: {DEDUPE_PIPELINE} must be the last stage; {later[0]} comes after"
            " it (give it an order below the dedupe stage's)"
        )


# --- rules: raw setting value -> typed value, or ValueError with what was expected -------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {value!r}")
    return value.strip()


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text not in _BOOLEANS:
        raise ValueError(f"expected 1 or 0 (true/false, yes/no), got {value!r}")
    return _BOOLEANS[text]


def _number(
    kind: type[int] | type[float], low: float | None, high: float | None = None
) -> Callable:
    what = "a whole number" if kind is int else "a number"
    bounds = (
        f" from {low:g} to {high:g}"
        if high is not None
        else f" >= {low:g}"
        if low is not None
        else ""
    )

    def rule(value: Any) -> int | float:
        try:
            if isinstance(value, bool):
                raise ValueError
            number = kind(value) if kind is float else int(str(value).strip())
        except (TypeError, ValueError):
            raise ValueError(f"expected {what}{bounds}, got {value!r}") from None
        if (
            number != number
            or (low is not None and number < low)
            or (high is not None and number > high)
        ):
            raise ValueError(f"expected {what}{bounds}, got {value!r}")
        return number

    return rule


def _choice(*allowed: str) -> Callable[[Any], str]:
    def rule(value: Any) -> str:
        text = _text(value).lower()
        if text not in allowed:
            shown = " or ".join(repr(a) for a in allowed if a) or repr("")
            raise ValueError(f"expected {shown}, got {value!r}")
        return text

    return rule


def _names(allowed: tuple[str, ...], *, empty: bool) -> Callable[[Any], tuple[str, ...]]:
    def rule(value: Any) -> tuple[str, ...]:
        if isinstance(value, str):
            items = [part.strip() for part in value.split(",") if part.strip()]
        elif isinstance(value, list | tuple):
            items = [str(part).strip() for part in value]
        else:
            raise ValueError(f"expected a comma-separated list, got {value!r}")
        unknown = [item for item in items if allowed and item not in allowed]
        if unknown:
            raise ValueError(f"not one of {', '.join(allowed)}: {', '.join(unknown)}")
        if not items and not empty:
            raise ValueError("expected at least one value")
        return tuple(dict.fromkeys(items))

    return rule


def _percentages(value: Any) -> dict[str, float]:
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except json.JSONDecodeError:
            example = '{"title": 90}'
            raise ValueError(
                f"expected a JSON object of field -> percentage, e.g. {example}, got {value!r}"
            ) from None
    if isinstance(value, BaseSettings):
        value = value.copy_to_dict()
    if not isinstance(value, Mapping):
        raise ValueError(f"expected a table of field -> percentage, got {value!r}")
    percent = _number(float, 0, 100)
    result = {}
    for name, number in value.items():
        if name not in FILL_FIELDS:
            raise ValueError(f"{name!r} is not a tracked field ({', '.join(FILL_FIELDS)})")
        try:
            result[str(name)] = float(percent(number))
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
    return result


def _archive(value: Any) -> str:
    """The archive mode: auto (dataset runs archive, -o/-O runs do not), or on/off."""
    if isinstance(value, str) and value.strip().lower() == "auto":
        return "auto"
    try:
        return "on" if _boolean(value) else "off"
    except ValueError:
        raise ValueError(f"expected auto, 1 or 0 (true/false, yes/no), got {value!r}") from None


def _run_id(value: Any) -> str:
    text = _text(value)
    if text and not RUN_ID_PATTERN.fullmatch(text):
        raise ValueError(f"letters, digits, '-' and '_' only (at most 64), got {value!r}")
    return text


def _required_text(value: Any) -> str:
    text = _text(value)
    if not text:
        raise ValueError("expected a non-empty value")
    return text


def _contact(value: Any) -> str:
    text = _text(value)
    if not re.match(r"(?:https?://[^/\s]+|mailto:\S+@\S+)", text):
        raise ValueError(f"expected an http(s) or mailto: URL, got {value!r}")
    return text


RULES: dict[str, Callable[[Any], Any]] = {
    "contact_url": _contact,
    "required_fields": _names(ARTICLE_FIELDS, empty=True),
    "rejects": _text,
    "validate_schema": _boolean,
    "replay": _text,
    "max_pages": _number(int, 0),
    "data_dir": _required_text,
    "gzip": _boolean,
    "run_id": _run_id,
    "gc_freeze": _boolean,
    "gc_threshold": _number(int, 1),
    "progress_interval": _number(float, 0),
    "health_max_reject_pct": _number(float, 0, 100),
    "health_max_http_error_pct": _number(float, 0, 100),
    "health_min_fill_pct": _percentages,
    "health_min_sample": _number(int, 1),
    "health_finish_reasons": _names((), empty=False),
    "retry_backoff": _number(float, 0),
    "retry_backoff_max": _number(float, 0),
    "state": _text,
    "state_busy_timeout": _number(float, 0.001),
    "duplicates": _choice("mark", "drop"),
    "near_dup_threshold": _number(float, 0.01, 1),
    "near_dup_num_perm": _number(int, 16, 1024),
    "stop_after_known_pages": _number(int, 0),
    "full": _boolean,
    "stage_timers": _boolean,
    "crash_at": _choice("", *CRASH_POINTS),
    "backend": _choice("sqlite", "redis"),
    "worker": _run_id,
    "worker_timeout": _number(float, 1),
    "archive": _archive,
    "archive_max_bytes": _number(int, 1),
}
