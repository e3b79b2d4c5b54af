"""The end-of-run health rules: pure functions from a run's numbers to a verdict and exit code.

Each rule has its own exit code; when several fail, the lowest code (the most basic cause)
becomes the process's exit status and all of them are reported."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Self

from scrapy.settings import BaseSettings

from newsagg.stats import stats_under

EXIT_OK = 0
# rule name -> exit code; README "Health checks and exit codes" documents the same table.
EXIT_CODES = {
    "run_failed": 10,  # an exception, an ERROR log line, the feed not stored, or not "finished"
    "http_errors": 11,  # too many pages answered 4xx/5xx or not at all
    "zero_articles": 12,  # nothing, where the previous run had articles
    "field_fill": 13,  # a field missing from too many articles: template drift
    "reject_rate": 14,  # too many articles and pages rejected
}


@dataclass(frozen=True, slots=True)
class Thresholds:
    max_reject_pct: float = 20.0
    max_http_error_pct: float = 20.0
    min_fill_pct: Mapping[str, float] = field(default_factory=dict)
    min_sample: int = 5  # rate rules judge only runs with at least this many cases
    finish_reasons: tuple[str, ...] = ("finished",)

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        def percent(name: str, value: Any) -> float:
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = -1.0
            if not 0 <= number <= 100:
                raise ValueError(f"{name}: expected a percentage 0-100, got {value!r}")
            return number

        fill = settings.getdict("NEWSAGG_HEALTH_MIN_FILL_PCT")
        thresholds = cls(
            max_reject_pct=percent(
                "NEWSAGG_HEALTH_MAX_REJECT_PCT", settings.get("NEWSAGG_HEALTH_MAX_REJECT_PCT")
            ),
            max_http_error_pct=percent(
                "NEWSAGG_HEALTH_MAX_HTTP_ERROR_PCT",
                settings.get("NEWSAGG_HEALTH_MAX_HTTP_ERROR_PCT"),
            ),
            min_fill_pct={
                str(name): percent(f"NEWSAGG_HEALTH_MIN_FILL_PCT[{name}]", value)
                for name, value in fill.items()
            },
            min_sample=settings.getint("NEWSAGG_HEALTH_MIN_SAMPLE"),
            finish_reasons=tuple(settings.getlist("NEWSAGG_HEALTH_FINISH_REASONS")),
        )
        if thresholds.min_sample < 1:
            raise ValueError("NEWSAGG_HEALTH_MIN_SAMPLE: expected a whole number >= 1")
        return thresholds


@dataclass(frozen=True, slots=True)
class PreviousRun:
    run_id: str
    items: int
    zero_alert: bool  # it failed `zero_articles` itself, so the site is still owed articles


@dataclass(frozen=True, slots=True)
class RunFacts:
    finish_reason: str
    items: int  # exported
    rejects: int  # rejects file rows: articles and pages
    articles: int  # articles extracted: exported + dropped as articles
    filled: Mapping[str, int]
    missing_example: Mapping[str, str]
    pages: int  # pages answered, plus those that got no answer
    http_errors: int  # pages that ended in an HTTP error status or no answer
    spider_exceptions: int
    error_lines: int  # log_count/ERROR
    store_failures: int  # feeds that could not be stored
    previous: PreviousRun | None = None
    known_links: int = 0  # article links skipped because an earlier run wrote them

    @classmethod
    def from_stats(
        cls, stats: Mapping[str, Any], finish_reason: str, previous: PreviousRun | None
    ) -> Self:
        def total(prefix: str) -> int:
            return sum(v for k, v in stats.items() if k.startswith(prefix) and isinstance(v, int))

        no_answer = stats.get("newsagg/rejected/fetch_error", 0)
        return cls(
            finish_reason=finish_reason,
            items=stats.get("item_scraped_count", 0),
            rejects=stats.get("newsagg/rejected", 0),
            articles=stats.get("newsagg/articles", 0),
            filled=stats_under(stats, "newsagg/filled/"),
            missing_example=stats_under(stats, "newsagg/missing_example/"),
            pages=stats.get("response_received_count", 0) + no_answer,
            http_errors=total("newsagg/rejected/http_") + no_answer,
            spider_exceptions=stats.get("spider_exceptions/count", 0),
            error_lines=stats.get("log_count/ERROR", 0),
            store_failures=total("feedexport/failed_count/"),
            previous=previous,
            known_links=stats.get("newsagg/skipped/known", 0),
        )


@dataclass(frozen=True, slots=True)
class Problem:
    rule: str
    message: str

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.rule]


@dataclass(frozen=True, slots=True)
class Verdict:
    problems: tuple[Problem, ...]

    @property
    def exit_code(self) -> int:
        return min((p.exit_code for p in self.problems), default=EXIT_OK)

    @property
    def status(self) -> str:
        return "failed" if self.problems else "ok"

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "exit_code": self.exit_code,
            "problems": [
                {"rule": p.rule, "exit_code": p.exit_code, "message": p.message}
                for p in self.problems
            ],
        }


def check_run(facts: RunFacts, limits: Thresholds) -> Verdict:
    """Every rule, in exit-code order."""
    problems = [
        *run_failed(facts, limits),
        *http_errors(facts, limits),
        *zero_articles(facts),
        *field_fill(facts, limits),
        *reject_rate(facts, limits),
    ]
    return Verdict(tuple(problems))


def run_failed(facts: RunFacts, limits: Thresholds) -> list[Problem]:
    causes = []
    if facts.finish_reason not in limits.finish_reasons:
        causes.append(f"finish reason {facts.finish_reason!r}")
    if facts.spider_exceptions:
        causes.append(f"{facts.spider_exceptions} spider exception(s)")
    if facts.error_lines:
        causes.append(f"{facts.error_lines} ERROR log line(s)")
    if facts.store_failures:
        causes.append(f"{facts.store_failures} feed(s) not stored")
    return (
        [Problem("run_failed", "run did not end cleanly: " + ", ".join(causes))] if causes else []
    )


def http_errors(facts: RunFacts, limits: Thresholds) -> list[Problem]:
    if facts.pages < limits.min_sample:
        return []
    pct = 100 * facts.http_errors / facts.pages
    if pct <= limits.max_http_error_pct:
        return []
    return [
        Problem(
            "http_errors",
            f"{facts.http_errors} of {facts.pages} pages ({pct:.0f} %) answered an HTTP error "
            f"or nothing (maximum {limits.max_http_error_pct:g} %)",
        )
    ]


def zero_articles(facts: RunFacts) -> list[Problem]:
    """Nothing written, after a run that wrote something. An incremental run whose listings
    showed only articles written before has nothing new to say, and is not flagged: the
    listings still work."""
    previous = facts.previous
    if facts.items or previous is None or not (previous.items or previous.zero_alert):
        return []
    if facts.known_links:
        return []
    had = f"{previous.items} articles" if previous.items else "none either, already flagged"
    return [
        Problem("zero_articles", f"0 articles, where the previous run {previous.run_id} had {had}")
    ]


def field_fill(facts: RunFacts, limits: Thresholds) -> list[Problem]:
    if facts.articles < limits.min_sample:
        return []
    problems = []
    for name, minimum in limits.min_fill_pct.items():
        filled = facts.filled.get(name, 0)
        pct = 100 * filled / facts.articles
        if pct < minimum:
            example = facts.missing_example.get(name, "-")
            problems.append(
                Problem(
                    "field_fill",
                    f"{name} found in {filled} of {facts.articles} articles ({pct:.0f} %, "
                    f"minimum {minimum:g} %): template drift? e.g. {example}",
                )
            )
    return problems


def reject_rate(facts: RunFacts, limits: Thresholds) -> list[Problem]:
    cases = facts.items + facts.rejects
    if cases < limits.min_sample:
        return []
    pct = 100 * facts.rejects / cases
    if pct <= limits.max_reject_pct:
        return []
    return [
        Problem(
            "reject_rate",
            f"{facts.rejects} of {cases} articles and pages rejected ({pct:.0f} %, "
            f"maximum {limits.max_reject_pct:g} %)",
        )
    ]
