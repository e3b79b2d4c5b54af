"""What ends with the leases of a worker's requests done: the journal entries their answers
gave (articles, rejects). Both wait in the worker and go to Redis together, in one Lua step,
entries first (`END_LEASES`, which the queue's pop starts with): a lease never ends before what
its answer gave is journaled, and journaling costs no round trip of its own. Lost with a killed
process, both are: its requests are answered again, which writes nothing twice (entries are
keyed)."""

from __future__ import annotations

from dataclasses import dataclass, field

from newsagg.scaling.keys import RunKeys

ARTICLE, REJECT = "a", "r"  # an entry's hash, and the prefix of its member of the run's order

# KEYS: articles, rejects, order, sequence, in-flight hash; ARGV: the number of leases done,
# the leases, then (ARTICLE or REJECT, field, value, order member) for each entry.
END_LEASES = """
local done = tonumber(ARGV[1])
for i = done + 2, #ARGV, 4 do
  local seq = redis.call('INCR', KEYS[4])
  redis.call('HSET', ARGV[i] == 'a' and KEYS[1] or KEYS[2], ARGV[i + 1], ARGV[i + 2])
  redis.call('ZADD', KEYS[3], seq, ARGV[i + 3])
end
if done > 0 then redis.call('HDEL', KEYS[5], unpack(ARGV, 2, done + 1)) end
"""


@dataclass(eq=False)
class LeaseEnding:
    """A worker's leases done and journal entries, not yet in Redis."""

    keys: RunKeys
    worker: str
    leases: list[str] = field(default_factory=list)
    entries: list[str | bytes] = field(default_factory=list)  # 4 values an entry

    def __bool__(self) -> bool:
        return bool(self.leases or self.entries)

    def journal(self, kind: str, key: str, value: str | bytes) -> None:
        """An entry of the run's journal (`kind` ARTICLE or REJECT), replacing one of `key`."""
        self.entries += [kind, key, value, f"{kind}\0{key}"]

    def script_keys(self) -> list[str]:
        keys = self.keys
        return [keys.articles, keys.rejects, keys.order, keys.sequence, keys.inflight(self.worker)]

    def script_args(self) -> list[str | bytes | int]:
        return [len(self.leases), *self.leases, *self.entries]

    def clear(self) -> None:
        """Both are in Redis now."""
        self.leases.clear()
        self.entries.clear()
