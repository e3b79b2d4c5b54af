"""Seeding a shared run: the site's lock taken for the run, the near-duplicate index fitted to
the settings, the run's info written (its start time and the crawl arguments every worker
takes), and its start listings queued and claimed, as the spider's `start()` would yield them
in one process."""

from __future__ import annotations

import json
from typing import Any

from scrapy.settings import BaseSettings

from newsagg.config import Config
from newsagg.errors import StartError, StateError
from newsagg.extract.url import parse_article_url
from newsagg.output.exporter import check_index, fit_index
from newsagg.output.layout import Run
from newsagg.run import RunContext
from newsagg.scaling.claims import RunClaims
from newsagg.scaling.context import check_shared
from newsagg.scaling.keys import RunKeys, site_lock
from newsagg.scaling.link import RedisLink
from newsagg.scaling.membership import CRAWLING
from newsagg.scaling.queue import LeasedQueue
from newsagg.scaling.tallies import tally_dict
from newsagg.spiders.aggregator import AggregatorSpider, Listing
from newsagg.spiders.arguments import canonical_base, parse_arguments, start_listings
from newsagg.spiders.hosts import SiteHosts
from newsagg.state.lock import RunLocked
from newsagg.state.redis import RedisStateStore
from newsagg.tally import Tally
from newsagg.timefmt import utc_stamp

SEED = "seed"  # the checkpoint of the seed: the start listings it found


def seed_run(link: RedisLink, settings: BaseSettings, raw: dict[str, Any], run: Run) -> int:
    """Seed `run` of the site `raw["site"]`; the number of start requests queued. StartError
    for a wrong argument or setting, RunLocked when another run of the site is not published."""
    config = Config.from_settings(settings)
    arguments = parse_arguments(raw, default_max_pages=config.max_pages)
    check_shared(settings, config, arguments, [])
    site = arguments.profile.name
    try:
        store = RedisStateStore.open(str(settings.get("REDIS_URL")))
    except StateError as exc:
        raise StartError(str(exc)) from None
    try:
        profile = arguments.profile
        hosts = SiteHosts.of(
            canonical_base(arguments), (profile.base_url, *profile.aliases, *arguments.start_urls)
        )
        starts = start_listings(arguments)
        context = RunContext(config, arguments, run, [], starts, hosts, store)
        check_index(context)
        client, keys = link.client, RunKeys(site, run.id)
        lock = site_lock(site)
        if not link.call(client.set, lock, run.id, nx=True):
            holder = (link.call(client.get, lock) or b"").decode()
            if holder == run.id:
                raise StartError(f"run {run.id} of {site} is seeded already")
            raise RunLocked(
                f"run {holder} of {site} is not published yet (its workers publish it as the last"
                f" ends, or scrapy newsagg-publish {holder} does)"
            )
        try:
            fit_index(context)  # the site's lock is ours: no run of it reads the index now
            return _queue(link, keys, run, raw, starts, profile)
        except BaseException:
            link.call(client.delete, lock, *keys.crawl_data(), keys.info)
            raise
    finally:
        store.close()


def _queue(
    link: RedisLink,
    keys: RunKeys,
    run: Run,
    raw: dict[str, Any],
    starts: tuple[tuple[str, str], ...],
    profile: Any,
) -> int:
    client = link.client
    info = {
        "site": keys.site,
        "run_id": run.id,
        "started": run.started.isoformat(),
        "arguments": json.dumps(raw, sort_keys=True),
        "status": CRAWLING,
        "seeded": utc_stamp(),
    }
    link.call(client.hset, keys.info, mapping=info)
    spider = AggregatorSpider()  # only its request builders: what its start() would yield
    queue = LeasedQueue(client, spider, keys.queue)
    queue.claims = keys.claims
    claims = RunClaims(client, key=keys.claims)
    tally = Tally()
    requests = []
    for url, kind in starts:
        listing = Listing(url, kind)
        tally.listing_kind(kind).found += 1
        ref = parse_article_url(url, profile)
        if ref is not None:
            request = spider.article_request(ref, listing, author=None)
        else:
            request = spider.listing_request(url, listing, page=1)
        requests.append((request, claims.request_fingerprint(request)))
    link.call(queue.claim_push, requests)
    seed = {"worker": SEED, "incarnation": SEED, "status": SEED, "tally": tally_dict(tally)}
    link.call(client.hset, keys.checkpoints, SEED, json.dumps(seed))
    return len(starts)
