"""The shared run a RunContext of NEWSAGG_BACKEND=redis belongs to, checked before anything is
requested: Redis answers (else exit 2), the run was seeded and can be joined (exit 2, or 3 when
the site is another run's), the worker's arguments are the seed's, and nothing is asked of it
that a shared run cannot do. Each refusal is one line naming what to change."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scrapy.settings import BaseSettings

from newsagg.config import Config
from newsagg.errors import StartError
from newsagg.output.layout import Run
from newsagg.scaling.keys import RunKeys
from newsagg.scaling.link import RedisLink, connect
from newsagg.scaling.membership import Membership, checked_run, default_worker
from newsagg.spiders.arguments import CrawlArguments, parse_arguments


@dataclass(frozen=True, slots=True)
class SharedRun:
    link: RedisLink
    keys: RunKeys
    info: dict[str, str]
    arguments: dict[str, Any]  # the seed's, as raw -a values
    run: Run

    def join(self, config: Config) -> Membership:
        worker = config.worker or default_worker()
        return Membership.join(self.link, self.keys, worker, config.worker_timeout)


def open_shared(
    config: Config, settings: BaseSettings, raw: dict[str, Any], *, join: bool = True
) -> SharedRun:
    if not config.run_id:
        raise StartError(
            "NEWSAGG_RUN_ID: required with NEWSAGG_BACKEND=redis: the run to work on, seeded"
            " by scrapy newsagg-seed"
        )
    site = str(raw.get("site") or "").strip()
    if not site:
        parse_arguments(raw)  # the usual line: site is required, with the known sites
    link = connect(settings)
    try:
        keys = RunKeys(site, config.run_id)
        info = checked_run(link, keys, publishing=not join)
        seeded = json.loads(info["arguments"])
        for name, value in raw.items():
            if name == "_job" or str(seeded.get(name, "")) == str(value):
                continue
            raise StartError(
                f"{name}: {value!r} is not the argument run {config.run_id} was seeded with"
                f" ({seeded.get(name)!r}); workers take the seed's arguments"
            )
        run = Run(config.run_id, datetime.fromisoformat(info["started"]))
    except BaseException:
        link.client.close()
        raise
    return SharedRun(link, keys, info, {**seeded, **raw}, run)


def check_shared(
    settings: BaseSettings, config: Config, arguments: CrawlArguments, feeds: list[Any]
) -> None:
    """What a shared run cannot do, refused with the setting or argument to drop."""
    if feeds:
        raise StartError(
            "FEEDS: NEWSAGG_BACKEND=redis writes each worker's part in the dataset layout"
            " (NEWSAGG_DATA_DIR); drop -o/-O"
        )
    refusals = (
        (settings.get("JOBDIR"), "JOBDIR: the run's queue is in Redis already; drop JOBDIR"),
        (arguments.replay is not None or config.replay, "replay: not with NEWSAGG_BACKEND=redis"),
        (arguments.since is not None, "since: not with NEWSAGG_BACKEND=redis"),
        (config.rejects, "NEWSAGG_REJECTS: each worker's rejects part sits beside its items"),
        (
            settings.getint("CONCURRENT_ITEMS") != 1,
            "CONCURRENT_ITEMS: must be 1 with NEWSAGG_BACKEND=redis (a request is acknowledged"
            " after its output, in order)",
        ),
    )
    for refused, line in refusals:
        if refused:
            raise StartError(line)
