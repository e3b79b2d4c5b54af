"""The run's request queue: scrapy-redis's priority queue, where a popped request is leased,
not gone.

`pop` moves a request from the queue into the worker's in-flight hash, in one Lua script; the
worker acknowledges it once everything its answer produced is queued, and journals what it
gave, in the script of its next pop (newsagg.scaling.ending).
A request a worker took and never acknowledged (the worker was killed, or Redis went away) is
put back (`requeue`) by the worker itself when it starts again, or by any worker once the dead
one's heartbeat has expired. `claim_push` is the dupefilter's check and the push in one step,
for a batch of requests: a claimed request is always queued, so a kill between the two cannot
lose it. A redirect or a retry (a request derived from a leased one) replaces its lease in one
step (`exchange`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scrapy import Request
from scrapy_redis.queue import PriorityQueue

from newsagg.scaling.ending import END_LEASES, LeaseEnding

LEASE = "newsagg_lease"  # request meta: the lease of a popped request
CLAIM = "newsagg_claim"  # request meta: claim it in the run's dupefilter before queueing

# END_LEASES's KEYS and ARGV (what the worker has done is journaled and ended first), then
# KEYS[6]: the queue.
POP = (
    END_LEASES
    + """
local found = redis.call('ZRANGE', KEYS[6], 0, 0, 'WITHSCORES')
if #found == 0 then return false end
redis.call('ZREM', KEYS[6], found[1])
local lease = redis.sha1hex(found[1])
redis.call('HSET', KEYS[5], lease, found[2] .. '\\n' .. found[1])
return {lease, found[1]}
"""
)
REQUEUE = """
local held = redis.call('HGETALL', KEYS[1])
for i = 1, #held, 2 do
  local value = held[i + 1]
  local cut = string.find(value, '\\n', 1, true)
  redis.call('ZADD', KEYS[2], tonumber(string.sub(value, 1, cut - 1)), string.sub(value, cut + 1))
end
redis.call('DEL', KEYS[1])
return #held / 2
"""
# KEYS: claims, queue; ARGV: (fingerprint, score, request) of each request. Returns how many
# were queued (the others were asked for before).
CLAIM_PUSH = """
local queued = 0
for i = 1, #ARGV, 3 do
  if redis.call('SADD', KEYS[1], ARGV[i]) == 1 then
    redis.call('ZADD', KEYS[2], ARGV[i + 1], ARGV[i + 2])
    queued = queued + 1
  end
end
return queued
"""
EXCHANGE = """
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
return redis.call('HDEL', KEYS[2], ARGV[3])
"""


class LeasedQueue(PriorityQueue):
    """`PriorityQueue` (score = -priority) with leases for one worker's in-flight hash."""

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        self.inflight = ""  # set by the scheduler: this worker's in-flight hash
        self.claims = ""  # and the run's dupefilter set
        self._pop = server.register_script(POP)
        self._requeue = server.register_script(REQUEUE)
        self._claim_push = server.register_script(CLAIM_PUSH)
        self._exchange = server.register_script(EXCHANGE)

    def pop(self, ending: LeaseEnding, timeout: int = 0) -> Request | None:
        """The next request, leased; the worker's `ending` (journal entries, then leases done)
        is written first, in the same step (the caller clears it)."""
        found = self._pop(keys=[*ending.script_keys(), self.key], args=ending.script_args())
        if not found:
            return None
        lease, data = found
        request = self._decode_request(data)
        request.meta[LEASE] = lease.decode()
        return request

    def claim_push(self, requests: Sequence[tuple[Request, str]]) -> int:
        """Queue each request (with its fingerprint) the run has not asked for yet; how many."""
        args: list[Any] = []
        for request, fingerprint in requests:
            args += [fingerprint, -request.priority, self._encode_request(request)]
        return int(self._claim_push(keys=[self.claims, self.key], args=args)) if args else 0

    def exchange(self, request: Request, lease: str) -> None:
        """Queue a request derived from the leased one and end that lease, together."""
        data = self._encode_request(request)
        self._exchange(keys=[self.key, self.inflight], args=[-request.priority, data, lease])

    def requeue(self, inflight: str) -> int:
        """Put every request of an in-flight hash back in the queue; how many."""
        return int(self._requeue(keys=[inflight, self.key]))

    def _encode_request(self, request: Request) -> bytes:
        """scrapy-redis's encoding (`Request.to_dict`, pickled), without this worker's own
        meta, and with the spider's methods given by name: `to_dict` looks a callable callback
        up among every member of the spider (`inspect.getmembers`), for each request, which
        cost more than the rest of queueing it."""
        meta = request.meta
        lease, claim = meta.pop(LEASE, None), meta.pop(CLAIM, None)
        callback, errback = request.callback, request.errback
        request.callback = _method_name(self.spider, callback)
        request.errback = _method_name(self.spider, errback)
        try:
            return super()._encode_request(request)
        finally:
            request.callback, request.errback = callback, errback
            if lease is not None:
                meta[LEASE] = lease
            if claim is not None:
                meta[CLAIM] = claim


def _method_name(spider: Any, function: Any) -> Any:
    """The name of a method of the spider (as `Request.to_dict` writes it), or the function
    itself when it is not one by its own name (`to_dict` then searches, or refuses it)."""
    own = getattr(function, "__func__", None)
    name = getattr(function, "__name__", None)
    if own is not None and name is not None:
        found = getattr(spider, name, None)
        if getattr(found, "__func__", None) is own:
            return name
    return function
