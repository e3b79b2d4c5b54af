"""A worker's membership of a shared run: joining it, staying alive, leaving it.

Joining checks the run was seeded and is still crawling, that the site's lock is this run's,
and that no live process uses the worker's name; it then puts back in the queue what an earlier
process of the same name left in flight. While it runs, a thread refreshes the worker's
heartbeat (a key with a time to live of `NEWSAGG_WORKER_TIMEOUT`): a worker whose heartbeat has
expired is dead, and any worker puts its leased requests back. Leaving says how many live
workers remain: the last one publishes the run; the others wait for its verdict."""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from newsagg.errors import StartError
from newsagg.scaling.ending import END_LEASES, LeaseEnding
from newsagg.scaling.keys import RunKeys, site_lock
from newsagg.scaling.link import BackendLost, RedisLink
from newsagg.scaling.queue import REQUEUE
from newsagg.state.lock import RunLocked
from newsagg.timefmt import utc_stamp

logger = logging.getLogger(__name__)

CRAWLING, PUBLISHING, PUBLISHED = "crawling", "publishing", "published"
POLL = 0.2  # seconds between looks at the run while waiting for its verdict

# Whether the run's crawl is over: nothing queued, nothing in flight. A dead worker's requests
# (its heartbeat expired) are put back on the way, so the run is not over yet.
DONE = (
    """
local function requeue(inflight, queue)
"""
    + REQUEUE.replace("KEYS[1]", "inflight").replace("KEYS[2]", "queue")
    + """
end
if redis.call('ZCARD', KEYS[1]) > 0 then return {0, 0} end
local over, requeued = 1, 0
for _, w in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  local inflight = ARGV[1] .. 'inflight:' .. w
  if redis.call('HLEN', inflight) > 0 then
    over = 0
    if redis.call('EXISTS', ARGV[1] .. 'heartbeat:' .. w) == 0 then
      requeued = requeued + requeue(inflight, KEYS[1])
    end
  end
end
return {over, requeued}
"""
)
# Leave the run; returns how many live workers remain (the dead are dropped on the way). The
# last one takes the publisher note in the same step (-1: another process holds it), so a
# waiting worker never sees a run with neither a live worker nor a publisher.
LEAVE = """
redis.call('SREM', KEYS[1], ARGV[2])
redis.call('DEL', ARGV[1] .. 'heartbeat:' .. ARGV[2])
local live = 0
for _, w in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. 'heartbeat:' .. w) == 1 then live = live + 1
  else redis.call('SREM', KEYS[1], w) end
end
if live == 0 and not redis.call('SET', ARGV[1] .. 'publisher', ARGV[3], 'NX', 'PX', ARGV[4]) then
  return -1
end
return live
"""
PUBLISHER_HOLD = 30_000  # ms the publisher note lives unless its holder refreshes it


def default_worker() -> str:
    host = "".join(c if c.isalnum() or c in "-_" else "-" for c in socket.gethostname())
    return f"{host[:40]}-{os.getpid()}"


def read_info(link: RedisLink, keys: RunKeys) -> dict[str, str]:
    raw = link.call(link.client.hgetall, keys.info)
    return {key.decode(): value.decode() for key, value in raw.items()}


@dataclass(eq=False)
class Membership:
    link: RedisLink
    keys: RunKeys
    worker: str
    timeout: float
    info: dict[str, str]
    incarnation: str = ""
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    heartbeat_error: str | None = None
    _holder: str = ""  # what the heartbeat key says: "{host} {pid} {since}"
    # Leases of requests done and what their answers gave, ended and journaled in the round
    # trip that takes the next request (the queue's pop), or by `end_leases`.
    ending: LeaseEnding = field(init=False)

    def __post_init__(self) -> None:
        self.ending = LeaseEnding(self.keys, self.worker)
        client = self.link.client
        self._end = client.register_script(END_LEASES)
        self._requeue = client.register_script(REQUEUE)
        self._done = client.register_script(DONE)
        self._leave = client.register_script(LEAVE)

    @classmethod
    def join(cls, link: RedisLink, keys: RunKeys, worker: str, timeout: float) -> Membership:
        """StartError (exit 2) for a run that cannot be joined; RunLocked (exit 3) when the
        site is another run's, or the name is a live worker's."""
        info = checked_run(link, keys)
        member = cls(link, keys, worker, timeout, info)
        member._register()
        return member

    def _register(self) -> None:
        client, keys = self.link.client, self.keys
        stamp = utc_stamp()
        mine = self._holder = f"{socket.gethostname()} {os.getpid()} {stamp}"
        beat = keys.heartbeat(self.worker)
        if not self.link.call(client.set, beat, mine, nx=True, px=int(self.timeout * 1000)):
            holder = (self.link.call(client.get, beat) or b"").decode()
            if not dead_here(holder):
                raise RunLocked(
                    f"worker {self.worker} of run {keys.run_id} is running ({holder});"
                    " give this one another NEWSAGG_WORKER"
                )
            self.link.call(client.set, beat, mine, px=int(self.timeout * 1000))
        self.incarnation = f"{self.worker}@{stamp}-{os.getpid()}"
        self.link.call(client.sadd, keys.workers, self.worker)
        self.link.call(client.sadd, keys.active, self.worker)
        self._thread = threading.Thread(target=self._beat, name="newsagg-heartbeat", daemon=True)
        self._thread.start()

    @property
    def liveness(self) -> str:
        """ "{heartbeat key}|{its value}": what a hold of this process (a host's download slot,
        the robots.txt fetch) carries, so others can tell it died (the value is gone, or is
        a later process's of the same name) without waiting for the hold to expire."""
        return f"{self.keys.heartbeat(self.worker)}|{self._holder}"

    @property
    def publisher_note(self) -> str:
        """What the publisher note says while this process publishes the run."""
        return f"{self._holder} {self.incarnation}"

    def requeue_own(self) -> int:
        """Put back what this worker's name holds in flight (left by a killed process, or not
        downloaded when this one stopped)."""
        self.end_leases()
        keys = [self.keys.inflight(self.worker), self.keys.queue]
        return int(self.link.call(self._requeue, keys=keys))

    def ack_later(self, lease: str) -> None:
        """The request holding `lease` is done (everything it gave is journaled or queued): its
        lease ends in the round trip that takes the next request (`ending`)."""
        self.ending.leases.append(lease)

    def end_leases(self) -> None:
        """Journal what the worker's answers gave and end the leases done, now."""
        ending = self.ending
        if ending:
            self.link.call(self._end, keys=ending.script_keys(), args=ending.script_args())
            ending.clear()

    def _beat(self) -> None:
        beat = self.keys.heartbeat(self.worker)
        client = self.link.pooled()  # the reactor's client is not thread-safe
        try:
            while not self._stop.wait(self.timeout / 3):
                try:
                    client.set(beat, self._holder, px=int(self.timeout * 1000))
                except Exception as exc:  # the reactor's next Redis call reports it
                    self.heartbeat_error = f"{type(exc).__name__}: {exc}"
                    return
        finally:
            client.close()

    def crawl_over(self) -> bool:
        """Nothing queued and nothing in flight anywhere (dead workers' leases are put back)."""
        self.end_leases()
        keys = [self.keys.queue, self.keys.workers]
        over, requeued = self.link.call(self._done, keys=keys, args=[self.keys.base])
        if requeued:
            logger.warning(
                "worker %s: %d requests taken by workers whose heartbeat stopped are queued again",
                self.worker,
                requeued,
            )
        return bool(over)

    def checkpoint(self, counts: dict[str, Any]) -> dict[str, Any]:
        """Write this process's counts to the run's checkpoints; what was written."""
        data = {"worker": self.worker, "incarnation": self.incarnation, **counts}
        self.link.call(
            self.link.client.hset, self.keys.checkpoints, self.incarnation, json.dumps(data)
        )
        return data

    def leave(self) -> int:
        """Leave the run; the number of live workers still in it (0: this one publishes it,
        holding the publisher note; -1: another process is publishing it)."""
        self.stop_heartbeat()
        args = [self.keys.base, self.worker, self.publisher_note, PUBLISHER_HOLD]
        return int(self.link.call(self._leave, keys=[self.keys.active], args=args))

    def live_workers(self) -> list[str]:
        client = self.link.client
        names = sorted(w.decode() for w in self.link.call(client.smembers, self.keys.active))
        return [w for w in names if self.link.call(client.exists, self.keys.heartbeat(w))]

    def wait_for_verdict(self) -> dict[str, Any] | None:
        """The run's verdict once its publisher stored it; None if no live worker or publisher
        is left to store one (or Redis is gone)."""
        client = self.link.client
        try:
            while True:
                stored = self.link.call(client.hget, self.keys.info, "verdict")
                if stored is not None:
                    return json.loads(stored)
                if not self.live_workers() and not self.link.call(
                    client.exists, self.keys.publisher
                ):
                    stored = self.link.call(client.hget, self.keys.info, "verdict")
                    return json.loads(stored) if stored is not None else None
                time.sleep(POLL)
        except BackendLost:
            return None

    def stop_heartbeat(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def release(self) -> None:
        self.stop_heartbeat()


def checked_run(link: RedisLink, keys: RunKeys, *, publishing: bool = False) -> dict[str, str]:
    """The run's info, if it can be joined: seeded, crawling (or, `publishing`, for its
    publisher, being published by a process that may have died), and the site's run."""
    info = read_info(link, keys)
    site, run_id = keys.site, keys.run_id
    if not info:
        raise StartError(
            f"NEWSAGG_RUN_ID: run {run_id} of {site} was not seeded in {link.location}"
            f" (scrapy newsagg-seed {site} --run-id {run_id})"
        )
    status = info.get("status")
    if status == PUBLISHED:
        raise StartError(f"NEWSAGG_RUN_ID: run {run_id} of {site} is published already")
    if status == PUBLISHING and not publishing:
        raise RunLocked(f"run {run_id} is being published")
    holder = link.call(link.client.get, site_lock(site))
    if holder is None or holder.decode() != run_id:
        other = holder.decode() if holder is not None else "none"
        raise RunLocked(f"the site's run in {link.location} is {other}, not {run_id}")
    return info


def dead_here(holder: str) -> bool:
    """Whether a heartbeat names a process of this host that no longer exists."""
    parts = holder.split()
    if len(parts) < 2 or parts[0] != socket.gethostname() or not parts[1].isdigit():
        return False
    try:
        os.kill(int(parts[1]), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
