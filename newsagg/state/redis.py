"""The state in Redis (`NEWSAGG_BACKEND=redis`): the same `StateStore` as the SQLite file, shared
by every worker of every run that uses the same Redis database.

Reads see only applied rows, as in SQLite. A run reaches the state in two atomic steps:
`begin_run` journals it (its `run:{id}` hash *pending*, its article and listing rows in two
lists) in one MULTI/EXEC; `commit_run` applies those rows in one Lua script, which Redis runs
whole or not at all. Durable across a Redis crash only as far as Redis persists: run it with
`appendonly yes` (`appendfsync always` for the same promise as SQLite's `synchronous=FULL`);
opening a state on a server without the append-only file logs a WARNING.

Keys (prefix `newsagg:state:`): `meta` (hash), `sites` (set); per site `{site}:ids` (set),
`{site}:art:{id}` (hash: url, num, content_hash, published, first_seen, last_seen,
duplicate_of, signature, text, bands), `{site}:h:{content_hash}` and `{site}:b:{band key}`
(sets of ids: the exact and near-duplicate indexes), `{site}:alias` (hash url -> id),
`{site}:listing` (hash url -> frontier JSON), `runs:{site}` (sorted set of run ids by time);
per run `run:{id}` (hash) and its pending rows `run:{id}:articles`, `run:{id}:listings`.
Redis Cluster is not supported: the commit script builds its keys itself."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict
from typing import Any, Self
from urllib.parse import urlsplit, urlunsplit

import redis

from newsagg.errors import StateError
from newsagg.state.lock import SiteLock
from newsagg.state.store import (
    COMMITTED,
    DISCARDED,
    PENDING,
    PUBLISHED,
    ListingRecord,
    NearCandidate,
    RunFile,
    RunJournal,
    SeenRecord,
    StoredArticle,
)
from newsagg.timefmt import utc_stamp

logger = logging.getLogger(__name__)

PREFIX = "newsagg:state:"
SCHEMA_VERSION = "1"
ARTICLE_FIELDS = ("url", "num", "content_hash", "published", "first_seen", "last_seen")
ARTICLE_FIELDS += ("duplicate_of",)
RECORD_FIELDS = 13  # one pending article row: 13 list entries (see _record_fields)
BATCH = 500  # entries per RPUSH / ids per HMGET batch

# Applies a pending run's rows: ARGV = prefix, run id, now. Returns the articles applied.
COMMIT = """
local P, run_id, now = ARGV[1], ARGV[2], ARGV[3]
local run = P .. 'run:' .. run_id
if redis.call('EXISTS', run) == 0 then return 0 end
local function opt(v) if v == '' then return false end return string.sub(v, 2) end
local pending, N, CHUNK = run .. ':articles', 13, 13 * 200
local total, count, start = redis.call('LLEN', pending), 0, 0
while start < total do
  local f = redis.call('LRANGE', pending, start, start + CHUNK - 1)
  for j = 1, #f, N do
    local site, id, url, num, seen = f[j], f[j + 1], f[j + 2], f[j + 3], f[j + 4]
    local bands, aliases, touch = f[j + 10], f[j + 11], f[j + 12]
    local S = P .. site .. ':'
    local key = S .. 'art:' .. id
    redis.call('SADD', P .. 'sites', site)
    if touch == '1' then
      if redis.call('EXISTS', key) == 1 then redis.call('HSET', key, 'last_seen', seen) end
    else
      local chash, sig = opt(f[j + 5]), opt(f[j + 8])
      if redis.call('EXISTS', key) == 1 then
        local old = redis.call('HMGET', key, 'bands', 'content_hash')
        if old[1] then
          for k in string.gmatch(old[1], '%S+') do redis.call('SREM', S .. 'b:' .. k, id) end
        end
        if old[2] then redis.call('SREM', S .. 'h:' .. old[2], id) end
      else
        redis.call('HSET', key, 'first_seen', seen)
        redis.call('SADD', S .. 'ids', id)
      end
      redis.call('HSET', key, 'url', url, 'num', num, 'last_seen', seen, 'bands', bands)
      local optional = {content_hash = chash, published = opt(f[j + 6]),
        duplicate_of = opt(f[j + 7]), signature = sig, text = opt(f[j + 9])}
      for name, value in pairs(optional) do
        if value then redis.call('HSET', key, name, value) else redis.call('HDEL', key, name) end
      end
      if chash then redis.call('SADD', S .. 'h:' .. chash, id) end
      if sig then
        for k in string.gmatch(bands, '%S+') do redis.call('SADD', S .. 'b:' .. k, id) end
      end
    end
    for alias in string.gmatch(aliases, '[^\\n]+') do
      if alias ~= url then redis.call('HSET', S .. 'alias', alias, id) end
    end
    count = count + 1
  end
  start = start + CHUNK
end
local listings = run .. ':listings'
local l = redis.call('LRANGE', listings, 0, -1)
for j = 1, #l, 3 do
  local frontier = opt(l[j + 2])
  if frontier then redis.call('HSET', P .. l[j] .. ':listing', l[j + 1], frontier)
  else redis.call('HDEL', P .. l[j] .. ':listing', l[j + 1]) end
end
redis.call('DEL', pending, listings)
if redis.call('HEXISTS', run, 'manifest') == 1 then
  redis.call('HSET', run, 'status', 'committed', 'updated', now)
else
  redis.call('HSET', run, 'status', 'published', 'updated', now)
end
return count
"""


# An article's row, and those of the other ids in the union of some index sets, in one round
# trip: ARGV = site prefix, the article's id, n, n field names, the sets' names under the
# prefix. Returns its row's fields, then id, fields, id, fields... in id order.
ROWS = """
local P, own, n = ARGV[1], ARGV[2], tonumber(ARGV[3])
local fields, sets = {}, {}
for i = 1, n do fields[i] = ARGV[3 + i] end
for i = 4 + n, #ARGV do sets[#sets + 1] = P .. ARGV[i] end
local out = {redis.call('HMGET', P .. 'art:' .. own, unpack(fields))}
if #sets == 0 then return out end
local ids = redis.call('SUNION', unpack(sets))
table.sort(ids)
for _, id in ipairs(ids) do
  if id ~= own then
    out[#out + 1] = id
    out[#out + 1] = redis.call('HMGET', P .. 'art:' .. id, unpack(fields))
  end
end
return out
"""


class RedisStateStore:
    """`StateStore` in one Redis database."""

    def __init__(self, client: redis.Redis, location: str) -> None:
        self.client = client
        self.location = location
        self._commit = client.register_script(COMMIT)
        self._rows = client.register_script(ROWS)

    @classmethod
    def open(cls, url: str, *, timeout: float = 30.0) -> Self:
        """Connect and check the database: StateError naming it if it cannot be reached,
        written to, or holds a state of another schema. An existing state is never cleared."""
        location = masked(url)
        try:
            client = redis.Redis.from_url(
                url, socket_timeout=timeout, socket_connect_timeout=min(timeout, 5.0)
            )
        except ValueError as exc:
            raise StateError(f"state {location}: not a Redis URL ({exc})") from None
        store = cls(client, location)
        try:
            store._prepare()
        except redis.RedisError as exc:
            client.close()
            raise StateError(f"state {location}: cannot be opened: {exc}") from None
        except StateError:
            client.close()
            raise
        return store

    def _prepare(self) -> None:
        meta = PREFIX + "meta"
        version = self.client.hget(meta, "schema")
        if version is not None and version.decode() != SCHEMA_VERSION:
            raise StateError(
                f"state {self.location}: schema version {version.decode()}, this newsagg reads"
                f" {SCHEMA_VERSION}"
            )
        # A write now: a read-only replica fails at start, not after the crawl.
        self.client.hsetnx(meta, "created", utc_stamp())
        self.client.hset(meta, mapping={"schema": SCHEMA_VERSION, "opened": utc_stamp()})
        try:
            appendonly = self.client.config_get("appendonly").get("appendonly")
        except redis.ResponseError:  # CONFIG refused (a managed server): nothing to say
            appendonly = None
        if appendonly == "no":
            logger.warning(
                "state %s: the server has no append-only file (appendonly no): a Redis crash"
                " can lose committed runs; run redis-server with --appendonly yes",
                self.location,
            )

    # --- reads ---------------------------------------------------------------------------------

    def count(self, site: str | None = None) -> int:
        sites = [site] if site is not None else [s.decode() for s in self._members("sites")]
        return sum(self.client.scard(_site(name) + "ids") for name in sites)

    def known(self, site: str, links: Mapping[str, str]) -> set[str]:
        ids = list(dict.fromkeys(links.values()))
        present: set[str] = set()
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            flags = self.client.smismember(_site(site) + "ids", chunk)
            present.update(i for i, flag in zip(chunk, flags, strict=True) if flag)
        found = {url for url, article_id in links.items() if article_id in present}
        rest = [url for url in links if url not in found]
        for start in range(0, len(rest), BATCH):
            chunk = rest[start : start + BATCH]
            hits = self.client.hmget(_site(site) + "alias", chunk)
            found.update(url for url, hit in zip(chunk, hits, strict=True) if hit is not None)
        return found

    def article(self, site: str, article_id: str) -> StoredArticle | None:
        values = self.client.hmget(_site(site) + f"art:{article_id}", ARTICLE_FIELDS)
        return _stored(site, article_id, values) if values[0] is not None else None

    def with_hash(self, site: str, content_hash: str, exclude_id: str) -> list[StoredArticle]:
        _, rows = self._rows_of(site, exclude_id, [f"h:{content_hash}"], ())
        return [row[0] for row in rows]

    def arrival(
        self, site: str, article_id: str, content_hash: str | None
    ) -> tuple[StoredArticle | None, list[StoredArticle]]:
        sets = [f"h:{content_hash}"] if content_hash else []
        own, rows = self._rows_of(site, article_id, sets, ())
        return (own[0] if own is not None else None), [row[0] for row in rows]

    def near_candidates(
        self, site: str, band_keys: Sequence[int], exclude_id: str
    ) -> list[NearCandidate]:
        if not band_keys:
            return []
        sets = [f"b:{key}" for key in band_keys]
        _, rows = self._rows_of(site, exclude_id, sets, ("signature", "text"))
        return [NearCandidate(*row) for row in rows if row[1] is not None]

    def _rows_of(
        self, site: str, article_id: str, sets: list[str], extra: tuple[str, ...]
    ) -> tuple[tuple[Any, ...] | None, list[tuple[Any, ...]]]:
        """(StoredArticle, *extra fields as bytes) of `article_id` (None if unknown), and of
        each other id in the union of the index sets, in id order: one round trip (ROWS)."""
        names = (*ARTICLE_FIELDS, *extra)
        own, *flat = self._rows(keys=[], args=[_site(site), article_id, len(names), *names, *sets])
        rows = []
        for raw_id, values in zip(flat[::2], flat[1::2], strict=True):
            if values[0] is not None:  # else in an index set, its row gone: not stored
                rows.append(_row(site, raw_id.decode(), values))
        return (_row(site, article_id, own) if own[0] is not None else None), rows

    def frontier(self, site: str, listing_url: str) -> tuple[str, ...] | None:
        value = self.client.hget(_site(site) + "listing", listing_url)
        return tuple(json.loads(value)) if value is not None else None

    def lock(self, site: str) -> SiteLock | None:
        """Nothing to lock per process: a Redis run is shared by its workers, which join it
        (newsagg.scaling.membership); the site's lock is the run's, taken by the seed."""
        return None

    def index_params(self) -> str | None:
        value = self.client.hget(PREFIX + "meta", "near_index")
        return value.decode() if value is not None else None

    def _members(self, name: str) -> set[bytes]:
        return self.client.smembers(PREFIX + name)

    # --- writes --------------------------------------------------------------------------------

    def rebuild_index(
        self, params: str, band_keys: Callable[[str, bytes], Sequence[int]] | None
    ) -> int:
        count = 0
        try:
            pipe = self.client.pipeline(transaction=True)
            if band_keys is not None:
                for site in sorted(s.decode() for s in self._members("sites")):
                    prefix = _site(site)
                    old = list(self.client.scan_iter(match=prefix + "b:*", count=1000))
                    if old:
                        pipe.delete(*old)
                    for raw in sorted(self.client.smembers(prefix + "ids")):
                        article_id = raw.decode()
                        signature = self.client.hget(prefix + f"art:{article_id}", "signature")
                        if signature is None:
                            continue
                        keys = [str(key) for key in band_keys(site, signature)]
                        pipe.hset(prefix + f"art:{article_id}", "bands", " ".join(keys))
                        for key in keys:
                            pipe.sadd(prefix + f"b:{key}", article_id)
                        count += 1
            pipe.hset(PREFIX + "meta", "near_index", params)
            pipe.execute()
        except redis.RedisError as exc:
            raise StateError(f"state {self.location}: cannot rebuild the index: {exc}") from exc
        return count

    def begin_run(
        self,
        journal: RunJournal,
        records: Iterable[SeenRecord],
        listings: Iterable[ListingRecord] = (),
    ) -> int:
        run = PREFIX + f"run:{journal.run_id}"
        count = 0
        try:
            status = self.run_status(journal.run_id)
            if status not in (None, DISCARDED):  # a discarded one is journaled again
                raise StateError(
                    f"state {self.location}: cannot journal the run: run {journal.run_id} is"
                    " already journaled"
                )
            pipe = self.client.pipeline(transaction=True)  # sent whole, or not at all
            pipe.delete(run, run + ":articles", run + ":listings")
            now = utc_stamp()
            fields = {
                "site": journal.site,
                "status": PENDING,
                "created": now,
                "updated": now,
                "files": json.dumps([asdict(f) for f in journal.files], ensure_ascii=False),
            }
            for name in ("manifest", "manifest_path", "latest_path"):
                value = getattr(journal, name)
                if value is not None:
                    fields[name] = value
            pipe.hset(run, mapping=fields)
            pipe.zadd(PREFIX + f"runs:{journal.site}", {journal.run_id: time.time()})
            batch: list[bytes] = []
            for record in records:
                count += 1
                batch += _record_fields(record)
                if len(batch) >= BATCH * RECORD_FIELDS:
                    pipe.rpush(run + ":articles", *batch)
                    batch = []
            if batch:
                pipe.rpush(run + ":articles", *batch)
            rows = [
                value
                for listing in listings
                for value in (listing.site, listing.url, _optional(_frontier_text(listing)))
            ]
            if rows:
                pipe.rpush(run + ":listings", *rows)
            pipe.execute()
        except redis.RedisError as exc:
            raise StateError(f"state {self.location}: cannot journal the run: {exc}") from exc
        return count

    def commit_run(self, run_id: str) -> int:
        try:
            return int(self._commit(args=[PREFIX, run_id, utc_stamp()]))
        except redis.RedisError as exc:
            raise StateError(f"state {self.location}: cannot commit run {run_id}: {exc}") from exc

    def finish_run(self, run_id: str) -> None:
        try:
            self._set_status(run_id, PUBLISHED)
        except redis.RedisError as exc:
            raise StateError(f"state {self.location}: cannot close run {run_id}: {exc}") from exc

    def discard_run(self, run_id: str) -> None:
        run = PREFIX + f"run:{run_id}"
        try:
            pipe = self.client.pipeline(transaction=True)
            pipe.delete(run + ":articles", run + ":listings")
            self._set_status(run_id, DISCARDED, pipe)
            pipe.execute()
        except redis.RedisError as exc:
            raise StateError(f"state {self.location}: cannot discard run {run_id}: {exc}") from exc

    def unfinished_runs(self, site: str) -> list[RunJournal]:
        journals = []
        for raw in self.client.zrange(PREFIX + f"runs:{site}", 0, -1):
            run_id = raw.decode()
            values = self.client.hgetall(PREFIX + f"run:{run_id}")
            row = {key.decode(): value.decode() for key, value in values.items()}
            if row.get("status") not in (PENDING, COMMITTED):
                continue
            journals.append(
                RunJournal(
                    run_id,
                    site,
                    row["status"],
                    tuple(RunFile(**f) for f in json.loads(row["files"])),
                    row.get("manifest"),
                    row.get("manifest_path"),
                    row.get("latest_path"),
                )
            )
        return journals

    def run_status(self, run_id: str) -> str | None:
        """Where a run is in the journal (pending, committed, published, discarded), if
        anywhere: a shared run's publisher asks whether an earlier publish got that far."""
        value = self.client.hget(PREFIX + f"run:{run_id}", "status")
        return value.decode() if value is not None else None

    def _set_status(self, run_id: str, status: str, pipe: Any = None) -> None:
        run = PREFIX + f"run:{run_id}"
        target = pipe if pipe is not None else self.client.pipeline(transaction=True)
        target.hset(run, mapping={"status": status, "updated": utc_stamp()})
        if status not in (PENDING, COMMITTED):  # done with: its row stays, not its manifest
            target.hdel(run, "manifest")
        if pipe is None:
            target.execute()

    def close(self) -> None:
        self.client.close()


def _site(site: str) -> str:
    return f"{PREFIX}{site}:"


def _row(site: str, article_id: str, values: Sequence[bytes | None]) -> tuple[Any, ...]:
    """(StoredArticle, *the extra fields) from the values of ARTICLE_FIELDS and the extras."""
    head = values[: len(ARTICLE_FIELDS)]
    return (_stored(site, article_id, head), *values[len(ARTICLE_FIELDS) :])


def _stored(site: str, article_id: str, values: Sequence[bytes | None]) -> StoredArticle:
    """An article's row from its ARTICLE_FIELDS values."""
    text = [v.decode() if v is not None else None for v in values]
    url, num, content_hash, published, first_seen, last_seen, duplicate_of = text
    return StoredArticle(
        site, article_id, url, int(num), content_hash, published,  # type: ignore[arg-type]
        first_seen, last_seen, duplicate_of,  # type: ignore[arg-type]
    )  # fmt: skip


def _optional(value: str | bytes | None) -> bytes:
    """A pending row's optional value: b"" for None, else b"=" and the value."""
    if value is None:
        return b""
    return b"=" + (value.encode() if isinstance(value, str) else value)


def _record_fields(r: SeenRecord) -> list[bytes]:
    return [
        r.site.encode(),
        r.id.encode(),
        r.url.encode(),
        str(r.num).encode(),
        r.seen_at.encode(),
        _optional(r.content_hash),
        _optional(r.published),
        _optional(r.duplicate_of),
        _optional(r.signature),
        _optional(r.text),
        " ".join(str(key) for key in r.band_keys).encode(),
        "\n".join(r.aliases).encode(),
        b"1" if r.touch_only else b"0",
    ]


def _frontier_text(listing: ListingRecord) -> str | None:
    return None if listing.frontier is None else json.dumps(list(listing.frontier))


def masked(url: str) -> str:
    """The URL for messages: a password is shown as ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit((parts.scheme, user + netloc, parts.path, parts.query, parts.fragment))
