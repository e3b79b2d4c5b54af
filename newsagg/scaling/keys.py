"""Every Redis key of a shared run, the site's lock and the hosts' politeness budgets, in one
place. A run's keys live under `newsagg:run:{site}:{run_id}:`; politeness keys belong to the
host, not to a run, so two runs (or two sites on one host) share one budget."""

from __future__ import annotations

from dataclasses import dataclass

ROOT = "newsagg:"


@dataclass(frozen=True, slots=True)
class RunKeys:
    site: str
    run_id: str

    @property
    def base(self) -> str:
        return f"{ROOT}run:{self.site}:{self.run_id}:"

    @property
    def info(self) -> str:
        """Hash: site, run_id, started, arguments (JSON), status, verdict (JSON)."""
        return self.base + "info"

    @property
    def queue(self) -> str:
        """Sorted set of encoded requests (scrapy-redis's priority queue)."""
        return self.base + "queue"

    @property
    def claims(self) -> str:
        """Set of request fingerprints asked for in the run (scrapy-redis's dupefilter)."""
        return self.base + "claims"

    def inflight(self, worker: str) -> str:
        """Hash lease -> "{score}\\n{encoded request}": popped by `worker`, not yet done."""
        return self.base + f"inflight:{worker}"

    @property
    def workers(self) -> str:
        """Set of every worker name that joined the run."""
        return self.base + "workers"

    @property
    def active(self) -> str:
        """Set of the workers that joined and have not left."""
        return self.base + "active"

    def heartbeat(self, worker: str) -> str:
        """String "{host} {pid} {since}" with a time to live: the worker is alive."""
        return self.base + f"heartbeat:{worker}"

    @property
    def checkpoints(self) -> str:
        """Hash incarnation -> JSON of its counts (newsagg.scaling.tallies)."""
        return self.base + "checkpoints"

    @property
    def articles(self) -> str:
        """Hash requested URL -> pickled journaled article (newsagg.scaling.journal)."""
        return self.base + "articles"

    @property
    def rejects(self) -> str:
        """Hash "{url}\\0{reason}" -> JSON reject row."""
        return self.base + "rejects"

    @property
    def order(self) -> str:
        """Sorted set: articles and rejects by arrival (`sequence`)."""
        return self.base + "order"

    @property
    def sequence(self) -> str:
        return self.base + "sequence"

    @property
    def progress(self) -> str:
        """Hash listing URL -> pickled (page, ListingProgress) of its deepest page read."""
        return self.base + "progress"

    def robots(self, netloc: str) -> str:
        """String: the robots.txt body fetched for the run ("" prefix "-": none could be)."""
        return self.base + f"robots:{netloc}"

    def robots_fetch(self, netloc: str) -> str:
        """String with a time to live: the worker fetching robots.txt for the others."""
        return self.base + f"robots-fetch:{netloc}"

    @property
    def publisher(self) -> str:
        """String with a time to live: the process publishing the run."""
        return self.base + "publisher"

    def crawl_data(self) -> tuple[str, ...]:
        """What the run's crawl leaves once published (not the info: it says published)."""
        return (
            self.queue,
            self.claims,
            self.workers,
            self.active,
            self.checkpoints,
            self.articles,
            self.rejects,
            self.order,
            self.sequence,
            self.progress,
        )


def site_lock(site: str) -> str:
    """String: the run id of the site's run that is not published yet."""
    return f"{ROOT}site:{site}:run"


def host_next(netloc: str) -> str:
    """String: the time (Redis clock, seconds) the host's next request may start."""
    return f"{ROOT}host:{netloc}:next"


def host_slots(netloc: str) -> str:
    """Sorted set: requests downloading from the host now, scored by when their hold expires."""
    return f"{ROOT}host:{netloc}:slots"


def run_info_pattern(run_id: str) -> str:
    """Every site's info key of one run id (`newsagg-publish RUN_ID`)."""
    return f"{ROOT}run:*:{run_id}:info"
