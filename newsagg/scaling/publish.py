"""Publishing a shared run: once, by its last worker (or `scrapy newsagg-publish RUN_ID`), the
publish step of one process over every worker's journal. docs/scaling.md has the order.

 0. take the run's publisher note (one publisher at a time); the run is *publishing*
 1. resolve the site's unfinished journals in the state (newsagg.output.recovery): a publish
    killed after its journal is rolled forward or discarded here; a run already committed is
    only announced
 2. decide duplicates over every journaled article at once, as one process decides over its
    run (newsagg.dedupe.resolve), and write each worker's part and rejects part aside
 3. judge the run on the sum of its workers' counts (the health rules)
 4. checksum, journal as pending in the state, rename, commit, manifest, latest.json: the
    steps of newsagg.output.publish, in its order, with its failures (exit 4)
 5. the run is *published*: its verdict is stored for the waiting workers, the site's lock is
    freed and the crawl's keys (queue, claims, journal) are deleted

A kill at any point leaves the run's journal in Redis untouched until 5, so the next
`newsagg-publish` (or the restarted worker) publishes it, once: a publish that had renamed its
files is rolled forward by step 1, one that had not is done again."""

from __future__ import annotations

import json
import logging
import os
import pickle
import signal
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import redis
from scrapy.settings import BaseSettings

from newsagg.dedupe.entry import Outcome
from newsagg.dedupe.resolve import Deduplicator
from newsagg.health import Problem, RunFacts, Thresholds, Verdict, check_run
from newsagg.output.exporter import Spool
from newsagg.output.layout import latest_path
from newsagg.output.manifest import build_manifest, dumps, latest_pointer
from newsagg.output.recovery import recover
from newsagg.output.storage import fsync_directory, sha256_of, write_atomically
from newsagg.pipelines.dedupe import new_deduplicator
from newsagg.run import RunContext, previous_run
from newsagg.scaling.ending import ARTICLE, REJECT
from newsagg.scaling.journal import PAGE_DIGITS, JournaledArticle
from newsagg.scaling.keys import RunKeys, site_lock
from newsagg.scaling.link import RedisLink
from newsagg.scaling.membership import (
    CRAWLING,
    PUBLISHED,
    PUBLISHER_HOLD,
    PUBLISHING,
    dead_here,
)
from newsagg.scaling.parts import PartWriter, items_path, manifest_path, rejects_path
from newsagg.scaling.seed import SEED
from newsagg.scaling.tallies import merged_tally, summed_stats
from newsagg.spiders.incremental import IncrementalCrawl
from newsagg.state.store import RunFile, RunJournal
from newsagg.timefmt import utc_stamp

logger = logging.getLogger(__name__)

REFRESH = 10.0  # seconds between two refreshes of the publisher note (it lives 30 s)
BATCH = 200  # journal entries read per round trip
KEEP_INFO = 30 * 86400  # seconds a published run's info (status, verdict) is kept


class Busy(Exception):
    """Another process is publishing the run."""


class StepFailed(Exception):
    def __init__(self, step: str, message: str) -> None:
        super().__init__(f"{step}: {message}")
        self.step = step
        self.message = message


AFTER_RENAME = ("commit", "manifest", "latest")


def verdict_from(data: dict[str, Any]) -> Verdict:
    return Verdict(tuple(Problem(p["rule"], p["message"]) for p in data["problems"]))


class RunPublisher:
    """Publishes one shared run from a context of it (a worker's, or newsagg-publish's)."""

    def __init__(
        self,
        context: RunContext,
        settings: BaseSettings,
        holder: str,
        own: dict[str, Any] | None = None,
    ) -> None:
        assert context.shared is not None
        self.context = context
        self.settings = settings
        self.stats: dict[str, int] = {}  # the run's summed stats (newsagg.scaling.tallies)
        self.workers: list[dict[str, Any]] = []  # each worker process, for the manifest
        self.holder = holder  # the publisher note: "{host} {pid} {who}"
        self.own = own  # the publishing worker's own last checkpoint (its incarnation's)
        self.link: RedisLink = context.shared.link
        self.keys: RunKeys = context.shared.keys
        self.client = self.link.client
        self.config = context.config
        self.gzip = self.config.gzip
        self.day = context.run.date
        self.writers: dict[tuple[str, str], PartWriter] = {}

    # --- the order ----------------------------------------------------------------------------

    def publish(self) -> Verdict:
        """The run's verdict (stored in its info too); Busy if another process publishes it.
        The publisher note (taken here, or by the last worker as it left) is refreshed while
        the run is published, so a killed publisher frees the run within 30 s."""
        note = self.keys.publisher
        if not self.client.set(note, self.holder, nx=True, px=PUBLISHER_HOLD):
            holder = (self.client.get(note) or b"?").decode()
            if holder != self.holder and not dead_here(holder):
                raise Busy(f"run {self.context.run.id} is being published by {holder}")
            self.client.set(note, self.holder, px=PUBLISHER_HOLD)  # a dead one's: taken over
        stop = threading.Event()
        refresh = threading.Thread(target=self._hold, args=(stop,), daemon=True)
        refresh.start()
        try:
            self.client.hset(self.keys.info, "status", PUBLISHING)
            verdict = self._publish()
        finally:
            stop.set()
            refresh.join(timeout=5)
            try:
                self.client.delete(note)
            except redis.RedisError:  # it expires by itself
                logger.debug("publisher note of %s left to expire", self.context.run.id)
        return verdict

    def _hold(self, stop: threading.Event) -> None:
        client = self.link.pooled()  # the reactor's client is not thread-safe
        try:
            while not stop.wait(REFRESH):
                try:
                    client.set(self.keys.publisher, self.holder, px=PUBLISHER_HOLD)
                except redis.RedisError:
                    return
        finally:
            client.close()

    def _publish(self) -> Verdict:
        context = self.context
        recover(context)
        done = self._already_published()
        if done is not None:
            self._finish(done)
            return done
        verdict: Verdict | None = None
        try:
            verdict, files, records, listings = self._decide_and_write()
            self._publish_files(verdict, files, records, listings)
        except StepFailed as failure:
            message = f"{failure.step}: {failure.message}"
            if failure.step in AFTER_RENAME:
                message += "; the files are in place and newsagg-publish finishes the run"
            logger.error("publish: %s", message)
            verdict = (verdict or Verdict(())).with_problem(Problem("publish_failed", message))
            self._store(verdict, status=CRAWLING)
            return verdict
        except Exception as exc:  # a bug in a step: still a named failure, never exit 0
            logger.exception("publish: failed")
            self._discard()
            problem = Problem("publish_failed", f"publish: {type(exc).__name__}: {exc}")
            verdict = (verdict or Verdict(())).with_problem(problem)
            self._store(verdict, status=CRAWLING)
            return verdict
        self._finish(verdict)
        return verdict

    def _already_published(self) -> Verdict | None:
        """The verdict of this run if the state committed it (a publish killed after its
        rename, rolled forward by recovery): announced already, nothing to write again."""
        status = self.context.store.run_status(self.context.run.id)  # type: ignore[attr-defined]
        if status not in ("published", "committed"):
            return None
        manifest = manifest_path(
            self.config.data_dir, self.context.site, self.day, self.context.run.id
        )
        data = json.loads(manifest.read_text(encoding="utf-8"))
        logger.warning("publish: run %s was published by an earlier publish", self.context.run.id)
        return verdict_from(data["health"])

    # --- 2: decide and write -------------------------------------------------------------------

    def _decide_and_write(self) -> tuple[Verdict, list[RunFile], Iterator[Any], list[Any]]:
        context = self.context
        workers = sorted(w.decode() for w in self.client.smembers(self.keys.workers))
        checkpoints = self._checkpoints()
        tally = merged_tally(c.get("tally", {}) for c in checkpoints)
        context.tally = tally
        dedupe = new_deduplicator(context)  # not the worker's own: it decides the whole run
        spool = Spool()
        rejects: dict[str, list[dict[str, Any]]] = {}
        for kind, value in self._journal():
            if kind == ARTICLE:
                journaled: JournaledArticle = pickle.loads(value)
                entry = dedupe.adopt(journaled.entry, _fingerprint(journaled))
                spool.put(entry.index, (journaled.worker, journaled.item))
            else:
                row = json.loads(value)
                rejects.setdefault(row.get("worker", ""), []).append(row)
        tally.rejected = Counter(row["reason"] for rows in rejects.values() for row in rows)
        try:
            for worker in workers:
                self._writer("items", worker)
                self._writer("rejects", worker)
            self._write_items(dedupe, spool, rejects)
            for worker, rows in rejects.items():
                for row in rows:
                    self._writer("rejects", worker).row(row)
            for writer in self.writers.values():
                writer.close()
        except OSError as exc:
            self._discard()
            raise StepFailed("write_feeds", f"{type(exc).__name__}: {exc}") from None
        verdict = self._judge(checkpoints)
        files = [self._checksum(w) for w in sorted(self.writers.values(), key=_items_first)]
        records = dedupe.records(utc_stamp())
        return verdict, files, records, self._listings()

    def _write_items(
        self, dedupe: Deduplicator, spool: Spool, rejects: dict[str, list[dict[str, Any]]]
    ) -> None:
        """Every journaled article decided, and those to write written to their worker's part,
        in arrival order: newsagg.output.exporter's flush, part by part."""
        tally = self.context.tally
        dedupe.resolve()
        tally.to_write = dedupe.to_write()
        for index, (worker, item) in spool.drain():
            decision = dedupe.decision(index)
            assert decision is not None
            if decision.kind is not None:
                tally.copies[decision.kind] += 1
            elif decision.outcome is Outcome.NEW:
                tally.outcomes[str(Outcome.NEW)] += 1
            if decision.outcome is not Outcome.NEW:
                tally.outcomes[str(decision.outcome)] += 1
            if not decision.write:
                if decision.kind is not None:
                    tally.outcomes["dropped"] += 1
                    tally.rejected["duplicate"] += 1
                    rejects.setdefault(worker, []).append(
                        {
                            "url": item.url,
                            "site": self.context.site,
                            "reason": "duplicate",
                            "message": f"{decision.kind} copy of {decision.duplicate_of}; not"
                            " written (NEWSAGG_DUPLICATES=drop)",
                            "found": {
                                "duplicate_of": decision.duplicate_of,
                                "kind": decision.kind,
                                "title": item.title,
                            },
                            "at": utc_stamp(),
                            "worker": worker,
                        }
                    )
                continue
            item.duplicate_of = decision.duplicate_of
            item.updated = decision.outcome is Outcome.UPDATED
            self._writer("items", worker).item(item)
            tally.written += 1

    def _writer(self, kind: str, worker: str) -> PartWriter:
        writer = self.writers.get((kind, worker))
        if writer is None:
            site, run_id, data = self.context.site, self.context.run.id, self.config.data_dir
            if kind == "items":
                final = items_path(data, site, self.day, run_id, worker, self.gzip)
                writer = PartWriter(kind, final, gzip=self.gzip)
            else:
                writer = PartWriter(kind, rejects_path(data, site, self.day, run_id, worker))
            self.writers[(kind, worker)] = writer
        return writer

    def _listings(self) -> list[Any]:
        """The listings' frontiers, from the deepest page each worker read of each, and what
        is still queued (a run stopped early keeps the frontier of a listing it left)."""
        incremental = IncrementalCrawl(self.context.store, self.context.site)
        for listing, value in self.client.hscan_iter(self.keys.progress):
            progress = pickle.loads(value[PAGE_DIGITS:])
            if progress is not None:
                incremental.progress[listing.decode()] = progress
        outstanding = self._outstanding()
        return incremental.listing_records(lambda listing: outstanding[listing])

    def _outstanding(self) -> Counter[str]:
        """Article requests still queued or in flight, by listing."""
        left: Counter[str] = Counter()
        encoded = [data for data in self.client.zrange(self.keys.queue, 0, -1)]
        for worker in self.client.smembers(self.keys.workers):
            for value in self.client.hvals(self.keys.inflight(worker.decode())):
                encoded.append(value.split(b"\n", 1)[1])
        for data in encoded:
            meta = pickle.loads(data).get("meta") or {}
            if "ref" in meta:
                left[meta["listing"]] += 1
        return left

    # --- 3: judge ------------------------------------------------------------------------------

    def _checkpoints(self) -> list[dict[str, Any]]:
        found = [json.loads(v) for v in self.client.hvals(self.keys.checkpoints)]
        if self.own is not None:  # the publishing worker's, as of now
            found = [c for c in found if c.get("incarnation") != self.own["incarnation"]]
            found.append(self.own)
        for stopped in (c for c in found if c.get("status") == "running"):
            logger.warning(
                "publish: worker process %s stopped without closing (killed?): its taken"
                " requests were queued again; its counts are those of its last checkpoint",
                stopped["incarnation"],
            )
        return found

    def _judge(self, checkpoints: list[dict[str, Any]]) -> Verdict:
        context, tally = self.context, self.context.tally
        stats = summed_stats(checkpoints)
        self.stats = dict(stats)
        # The run finished when its crawl did: nothing queued or in flight. A worker that left
        # early (Ctrl-C, a CLOSESPIDER_* limit of its own) while others finished the work does
        # not fail it; one that left work behind does, with its reason.
        reasons = [c["finish_reason"] for c in checkpoints if c.get("status") == "closed"]
        reason = "finished"
        workers = [w.decode() for w in self.client.smembers(self.keys.workers)]
        held = sum(self.client.hlen(self.keys.inflight(w)) for w in workers)
        if held or self.client.zcard(self.keys.queue):
            reason = next((r for r in reasons if r != "finished"), "unfinished")
        context.finish_reason = reason
        context.previous = previous_run(self.config.data_dir, context.site)
        no_answer = tally.rejected["fetch_error"]
        http = sum(n for r, n in tally.rejected.items() if r.startswith("http_"))
        dead = [
            f"start listing {start.url} {start.problem}"
            for start in tally.start_listings.values()
            if start.problem is not None
        ]
        errors = sum(int(c.get("errors", 0)) for c in checkpoints)
        facts = RunFacts(
            finish_reason=reason,
            items=tally.written,
            rejects=tally.rejects - tally.rejected["duplicate"],
            articles=tally.extracted,
            filled=dict(tally.filled),
            missing_example=dict(tally.missing_example),
            pages=stats["response_received_count"] + no_answer,
            http_errors=http + no_answer,
            spider_exceptions=stats["spider_exceptions/count"],
            error_lines=errors,
            previous=context.previous,
            known_links=tally.skipped["known"],
            dead_starts=tuple(dead),
        )
        context.errors_at_verdict = context.errors.count
        self.workers = [
            {
                "worker": c["worker"],
                "incarnation": c["incarnation"],
                "status": c.get("status"),
                "finish_reason": c.get("finish_reason"),
                "pages": c.get("stats", {}).get("response_received_count", 0),
            }
            for c in sorted(checkpoints, key=lambda c: c["incarnation"])
            if c.get("status") != SEED
        ]
        return check_run(facts, Thresholds.from_config(self.config))

    # --- 4: the publish step's files and state -------------------------------------------------

    def _checksum(self, writer: PartWriter) -> RunFile:
        try:
            size = writer.partial.stat().st_size
            digest = sha256_of(writer.partial)
        except OSError as exc:
            self._discard()
            raise StepFailed("checksum", str(exc)) from None
        return RunFile(
            writer.kind, str(writer.final), str(writer.partial), digest, size, writer.rows
        )

    def _publish_files(
        self, verdict: Verdict, files: list[RunFile], records: Iterator[Any], listings: list[Any]
    ) -> None:
        context = self.context
        site, run_id = context.site, context.run.id
        manifest_file = manifest_path(self.config.data_dir, site, self.day, run_id)
        pointer = latest_path(self.config.data_dir, site).absolute()
        pages = self.stats.get("response_received_count", 0)
        manifest = build_manifest(context, self.settings, verdict, files, pages)
        manifest["workers"] = self.workers
        journal = RunJournal(
            run_id, site, "pending", tuple(files), dumps(manifest), str(manifest_file), str(pointer)
        )
        self._crash("before_pending")
        try:
            context.store.begin_run(journal, records, listings)
        except Exception as exc:
            self._discard()
            raise StepFailed("record_pending", f"{type(exc).__name__}: {exc}") from None
        self._crash("after_pending")
        self._step("rename", self._rename, journal)
        self._crash("after_rename")
        context.tally.recorded = self._step("commit", context.store.commit_run, run_id)
        self._crash("after_commit")
        assert journal.manifest is not None
        self._step("manifest", write_atomically, manifest_file, journal.manifest)
        self._crash("after_manifest")
        text = latest_pointer(journal.manifest, manifest_file, pointer)
        self._step("latest", write_atomically, pointer, text)
        self._crash("after_latest")
        self._step("commit", context.store.finish_run, run_id)
        logger.info(
            "publish: %s published (%d parts: %s); %d articles recorded in %s",
            run_id,
            len(files),
            ", ".join(Path(file.final).name for file in files),
            context.tally.recorded,
            context.store.location,
        )

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
                self._discard()
            raise

    def _step(self, name: str, action: Any, *args: Any) -> Any:
        try:
            return action(*args)
        except Exception as exc:  # each step's failure is named, never a bare traceback
            raise StepFailed(name, f"{type(exc).__name__}: {exc}") from None

    def _discard(self) -> None:
        for writer in self.writers.values():
            writer.discard()
        tally = self.context.tally
        tally.unpublished, tally.written = max(tally.to_write, tally.written), 0
        logger.warning(
            "publish: run %s not published; the files aside were deleted and its journal is"
            " kept in Redis (newsagg-publish %s publishes it)",
            self.context.run.id,
            self.context.run.id,
        )

    def _crash(self, point: str) -> None:
        if self.config.crash_at == point:
            os.kill(os.getpid(), signal.SIGKILL)

    # --- 5: published --------------------------------------------------------------------------

    def _finish(self, verdict: Verdict) -> None:
        self._store(verdict, status=PUBLISHED)
        client, keys = self.client, self.keys
        lock = site_lock(self.context.site)
        if (client.get(lock) or b"").decode() == self.context.run.id:
            client.delete(lock)
        for worker in client.smembers(keys.workers):
            name = worker.decode()
            client.delete(keys.inflight(name), keys.heartbeat(name))
        client.delete(*keys.crawl_data())
        for key in client.scan_iter(match=keys.base + "robots*", count=1000):
            client.delete(key)
        client.expire(keys.info, KEEP_INFO)

    # --- reading the journal -------------------------------------------------------------------

    def _journal(self) -> Iterator[tuple[str, bytes]]:
        """(kind, value) of every journaled article and reject, in arrival order."""
        total = self.client.zcard(self.keys.order)
        for start in range(0, total, BATCH):
            members = self.client.zrange(self.keys.order, start, start + BATCH - 1)
            split = [m.decode().split("\0", 1) for m in members]
            articles = [key for kind, key in split if kind == ARTICLE]
            rejects = [key for kind, key in split if kind == REJECT]
            values = {
                ARTICLE: iter(self.client.hmget(self.keys.articles, articles) if articles else []),
                REJECT: iter(self.client.hmget(self.keys.rejects, rejects) if rejects else []),
            }
            for kind, _ in split:
                value = next(values[kind])
                if value is not None:
                    yield kind, value

    def _store(self, verdict: Verdict, *, status: str) -> None:
        """The verdict for the waiting workers; a failure to store it is logged (the exit
        status still says it)."""
        fields = {
            "status": status,
            "verdict": json.dumps(verdict.as_dict()),
            "updated": utc_stamp(),
        }
        try:
            self.client.hset(self.keys.info, mapping=fields)
        except redis.RedisError as exc:
            logger.error("publish: the verdict could not be stored in Redis: %s", exc)


def _fingerprint(journaled: JournaledArticle) -> tuple[np.ndarray, tuple[int, ...], bytes] | None:
    if journaled.fingerprint is None:
        return None
    signature, keys, text = journaled.fingerprint
    return np.frombuffer(signature, dtype="<u4"), keys, text


def _items_first(writer: PartWriter) -> tuple[bool, str]:
    return writer.kind != "items", str(writer.final)
