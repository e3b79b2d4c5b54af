"""The end-of-run health rules: pure functions from a run's numbers to a verdict and exit code.

Each rule has its own exit code; when several fail, the lowest code (the most basic cause)
becomes the process's exit status and all of them are reported. docs/guarantees.md has the
whole table of exit codes, with the ones the crawl command gives before or without a verdict."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Self

from newsagg.config import Config

EXIT_OK = 0
EXIT_BAD_START = 2  # arguments, settings, state, JOBDIR or replay archive: nothing requested
EXIT_LOCKED = 3  # another run of the site holds the state's lock: nothing done
EXIT_NO_VERDICT = 5  # the run stopped before it was judged (forced shutdown, a crash)
# rule name -> exit code; docs/guarantees.md documents the same table.
EXIT_CODES = {
    "publish_failed": 4,  # a publish step failed: the run is not (or not fully) published
    "run_failed": 10,  # an exception, an ERROR log line, or a finish reason not "finished"
    "http_errors": 11,  # too many pages answered 4xx/5xx or not at all
    "zero_articles": 12,  # nothing, where the previous run had articles
    "field_fill": 13,  # a field missing from too many articles: template drift
    "reject_rate": 14,  # too many articles and pages rejected
    "start_listings": 15,  # a start listing failed, or answered without any article link
}


@dataclass(frozen=True, slots=True)
class Thresholds:
    max_reject_pct: float = 20.0
    max_http_error_pct: float = 20.0
    min_fill_pct: Mapping[str, float] = field(default_factory=dict)
    min_sample: int = 5  # rate rules judge only runs with at least this many cases
    finish_reasons: tuple[str, ...] = ("finished",)

    @classmethod
    def from_config(cls, config: Config) -> Self:
        return cls(
            max_reject_pct=config.health_max_reject_pct,
            max_http_error_pct=config.health_max_http_error_pct,
            min_fill_pct=dict(config.health_min_fill_pct),
            min_sample=config.health_min_sample,
            finish_reasons=config.health_finish_reasons,
        )


@dataclass(frozen=True, slots=True)
class PreviousRun:
    run_id: str
    items: int
    zero_alert: bool  # it failed `zero_articles` itself, so the site is still owed articles


@dataclass(frozen=True, slots=True)
class RunFacts:
    finish_reason: str
    items: int  # records written to the items file(s)
    rejects: int  # rejects file rows, articles and pages (copies dropped by choice excluded)
    articles: int  # articles extracted: written + rejected as articles
    filled: Mapping[str, int]
    missing_example: Mapping[str, str]
    pages: int  # pages answered, plus those that got no answer
    http_errors: int  # pages that ended in an HTTP error status or no answer
    spider_exceptions: int
    error_lines: int  # ERROR log lines since the run started
    previous: PreviousRun | None = None
    known_links: int = 0  # article links skipped because an earlier run wrote them
    dead_starts: tuple[str, ...] = ()  # start listings that failed or had no article link


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

    def with_problem(self, problem: Problem) -> Verdict:
        return Verdict((*self.problems, problem))

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
        *start_listings(facts),
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


def start_listings(facts: RunFacts) -> list[Problem]:
    """Whatever the sample size: a first run has no yesterday to compare with, and a listing
    page without article links is template drift."""
    return [Problem("start_listings", problem) for problem in facts.dead_starts]
