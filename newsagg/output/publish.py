"""The one ordered end of a run. docs/guarantees.md gives each step's failure and exit code.

 1. decide duplicates, write the feed files aside   (DedupeFeedExporter.close_spider)
 2. fsync and close them                             (AtomicFileFeedStorage.store)
 3. close the rejects file and the WARC archive aside `write_rejects`, `write_archive`
 4. judge the run: the health rules                  (newsagg.health)
 5. checksum every file                              `checksum`
 6. journal the run as pending in the state          `record_pending`   (its rows, files, sha256)
 7. rename every file into place                     `rename`
 8. commit the run in the state                      `commit`
 9. write the manifest, then latest.json             `manifest`, `latest`   (dataset layout)
10. the verdict: health + any failed step -> the exit code; summary in the log

A step that fails is logged, named in the verdict (`publish_failed`, exit 4) and stops the
steps after it. Before step 7 nothing is published: the files aside are deleted and the state
is unchanged. From step 7 on the run stays journaled, and the next start of the site finishes
it (newsagg.output.recovery). So a kill at any instant neither loses an article nor writes one
twice. `NEWSAGG_CRASH_AT` (tests only) SIGKILLs the process at a named point between steps."""

from __future__ import annotations

import logging
import os
import signal
from pathlib import Path
from typing import Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FeedExporter

from newsagg import stats as keys
from newsagg.extensions.summary import report_run
from newsagg.health import Problem, RunFacts, Thresholds, Verdict, check_run
from newsagg.output.files import OutputFile
from newsagg.output.layout import latest_path
from newsagg.output.manifest import build_manifest, dumps, latest_pointer
from newsagg.output.storage import fsync_directory, sha256_of, write_atomically
from newsagg.run import RunContext, run_context
from newsagg.state.store import RunFile, RunJournal
from newsagg.timefmt import utc_stamp

logger = logging.getLogger(__name__)

# RunContext.components: True when the run's state is deleted once it ends (a re-extraction
# without --update-state): the publish step journals and commits the run and its files, in
# the same order, but none of the article and listing rows, which nothing would read.
THROWAWAY_STATE = "throwaway_state"


AFTER_RENAME = ("commit", "manifest", "latest")


class StepFailed(Exception):
    def __init__(self, step: str, message: str) -> None:
        super().__init__(f"{step}: {message}")
        self.step = step
        self.message = message


class Publisher:
    def __init__(self, crawler: Crawler, context: RunContext) -> None:
        self.crawler = crawler
        self.context = context
        self.limits = Thresholds.from_config(context.config)
        self.done = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        publisher = cls(crawler, run_context(crawler))
        crawler.signals.connect(publisher.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(publisher.feed_exporter_closed, signal=signals.feed_exporter_closed)
        return publisher

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.crawler.get_extension(FeedExporter) is None:  # no feed: nothing to wait for
            self.publish()

    def feed_exporter_closed(self) -> None:
        self.publish()

    def publish(self) -> None:
        if self.done:
            return
        self.done = True
        context = self.context
        verdict: Verdict | None = None
        try:
            self._close_rejects()
            verdict = self.judge()
            if context.files.failure is not None:  # written aside only: nothing is out yet
                self._abandon()
                raise StepFailed(context.files.failure.step, context.files.failure.message)
            with context.timer("publish"):
                self._publish_files(verdict)
        except StepFailed as failure:
            message = f"{failure.step}: {failure.message}"
            if failure.step in AFTER_RENAME:
                message += "; the files are in place and the next start of the site finishes it"
            logger.error("publish: %s", message)
            verdict = (verdict or self.judge()).with_problem(Problem("publish_failed", message))
        except Exception as exc:  # a bug in a step: still a named failure, never exit 0
            logger.exception("publish: failed")
            problem = Problem("publish_failed", f"publish: {type(exc).__name__}: {exc}")
            verdict = (verdict or self.judge()).with_problem(problem)
        finally:
            if verdict is not None:
                self.finish(verdict)

    # --- steps ---------------------------------------------------------------------------------

    def _close_rejects(self) -> None:
        rejects = self.context.components.get("rejects")
        if rejects is not None:
            rejects.finish()
        archive = self.context.components.get("archive")
        if archive is not None:
            archive.finish()
        for output in self.context.files.files:
            if not output.stored:
                self.context.files.failed("write_feeds", f"{output.partial} was not stored")

    def judge(self) -> Verdict:
        facts = run_facts(self.context, self.crawler)
        self.context.errors_at_verdict = facts.error_lines
        return check_run(facts, self.limits)

    def _publish_files(self, verdict: Verdict) -> None:
        context = self.context
        # Items first: the manifest lists them first, recovery judges a run by them.
        order = {"items": 0, "rejects": 1, "archive": 2}
        outputs = sorted(context.files.files, key=lambda output: order.get(output.kind, 3))
        files = [self._checksum(output) for output in outputs]
        journal = self._journal(files, verdict)
        self._crash("before_pending")
        self._step("record_pending", self._record_pending, journal)
        self._crash("after_pending")
        self._step("rename", self._rename, journal)
        self._crash("after_rename")
        context.tally.recorded = self._step("commit", context.store.commit_run, journal.run_id)
        self._crash("after_commit")
        if journal.manifest is not None and journal.manifest_path and journal.latest_path:
            manifest_path, pointer = Path(journal.manifest_path), Path(journal.latest_path)
            self._step("manifest", write_atomically, manifest_path, journal.manifest)
            self._crash("after_manifest")
            text = latest_pointer(journal.manifest, manifest_path, pointer)
            self._step("latest", write_atomically, pointer, text)
            self._crash("after_latest")
            self._step("commit", context.store.finish_run, journal.run_id)
        logger.info(
            "publish: %s published (%s); %d articles recorded in %s",
            context.run.id,
            ", ".join(file.final for file in files),
            context.tally.recorded,
            context.store.location,
        )

    def _checksum(self, output: OutputFile) -> RunFile:
        try:
            size = output.partial.stat().st_size
            digest = sha256_of(output.partial)
        except OSError as exc:
            self._abandon()
            raise StepFailed("checksum", str(exc)) from None
        return RunFile(
            kind=output.kind,
            final=str(output.final),
            partial=str(output.partial),
            sha256=digest,
            bytes=size,
            rows=output.rows,
        )

    def _journal(self, files: list[RunFile], verdict: Verdict) -> RunJournal:
        context = self.context
        manifest = manifest_path = pointer = None
        items = [file for file in files if file.kind == "items"]
        if context.is_dataset and items:
            manifest_path = Path(items[0].final).with_name(f"{context.run.id}.manifest.json")
            pointer = latest_path(context.config.data_dir, context.site).absolute()
            stats = self.crawler.stats
            pages = stats.get_value("response_received_count", 0) or stats.get_value(
                keys.REEXTRACT_RESPONSES, 0
            )
            manifest = dumps(build_manifest(context, self.crawler.settings, verdict, files, pages))
        return RunJournal(
            run_id=context.run.id,
            site=context.site,
            status="pending",
            files=tuple(files),
            manifest=manifest,
            manifest_path=str(manifest_path) if manifest_path else None,
            latest_path=str(pointer) if pointer else None,
        )

    def _record_pending(self, journal: RunJournal) -> None:
        context = self.context
        try:
            dedupe = context.components.get("dedupe")
            records = dedupe.records(utc_stamp()) if dedupe is not None else iter(())
            incremental = context.components.get("incremental")
            listings = []
            if incremental is not None:
                listings = incremental.listing_records(context.components["outstanding"])
            if context.components.get(THROWAWAY_STATE):  # the run and its files only
                records, listings = iter(()), []
            context.store.begin_run(journal, records, listings)
        except Exception:
            self._abandon()
            raise

    def _rename(self, journal: RunJournal) -> None:
        renamed = 0
        try:
            for file in journal.files:
                Path(file.partial).replace(file.final)
                renamed += 1
                if renamed == 1:
                    self._crash("mid_rename")
            for directory in {Path(file.final).parent for file in journal.files}:
                fsync_directory(directory)
        except OSError:
            if renamed == 0:  # nothing is out: the run was never published
                self.context.store.discard_run(journal.run_id)
                self._abandon()
            raise

    def _abandon(self) -> None:
        self.context.files.discard()
        tally = self.context.tally
        tally.unpublished, tally.written = max(tally.to_write, tally.written), 0
        logger.warning(
            "publish: run %s not published; the files aside were deleted and the state is"
            " unchanged (its articles will be fetched again)",
            self.context.run.id,
        )

    def _step(self, name: str, action, *args):  # type: ignore[no-untyped-def]
        try:
            return action(*args)
        except StepFailed:
            raise
        except Exception as exc:  # each step's failure is named, never a bare traceback
            raise StepFailed(name, f"{type(exc).__name__}: {exc}") from None

    def _crash(self, point: str) -> None:
        if self.context.config.crash_at == point:
            os.kill(os.getpid(), signal.SIGKILL)

    # --- the verdict ---------------------------------------------------------------------------

    def finish(self, verdict: Verdict) -> None:
        context = self.context
        published = not any(p.rule == "publish_failed" for p in verdict.problems)
        if context.jobdir is not None and published:
            context.jobdir.finish(context.run.id, paused=context.finish_reason != "finished")
        context.verdict = verdict
        context.tally.to_stats(self.crawler.stats)
        stats = self.crawler.stats
        stats.set_value(keys.HEALTH_STATUS, verdict.status)
        stats.set_value(keys.HEALTH_EXIT_CODE, verdict.exit_code)
        report_run(context, verdict, stats.get_stats())


def run_facts(context: RunContext, crawler: Crawler) -> RunFacts:
    """The numbers the health rules judge: the tally's, and Scrapy's own counts of pages."""
    tally = context.tally
    stats = crawler.stats
    no_answer = tally.rejected["fetch_error"]
    http_errors = sum(n for reason, n in tally.rejected.items() if reason.startswith("http_"))
    dead = [
        f"start listing {start.url} {start.problem}"
        for start in tally.start_listings.values()
        if start.problem is not None
    ]
    return RunFacts(
        finish_reason=context.finish_reason or "unknown",
        items=tally.written,
        rejects=tally.rejects - tally.rejected["duplicate"],
        articles=tally.extracted,
        filled=dict(tally.filled),
        missing_example=dict(tally.missing_example),
        pages=stats.get_value("response_received_count", 0) + no_answer,
        http_errors=http_errors + no_answer,
        spider_exceptions=stats.get_value("spider_exceptions/count", 0),
        error_lines=context.errors.count,
        previous=context.previous,
        known_links=tally.skipped["known"],
        dead_starts=tuple(dead),
    )
