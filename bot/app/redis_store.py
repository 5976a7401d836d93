"""The job ledger on Redis, for workers on many machines: each step is one Lua script, so two
workers can never both claim a delivery or both requeue a dead worker's job."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from bot.app.store import KEEP_SECONDS, RUNNING, STALE_AFTER, WAITING, Record

if TYPE_CHECKING:
    from redis import Redis

PREFIX = "backend-review:"
_ACCEPT = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 4))
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""
_CLAIM = """
if redis.call('HGET', KEYS[1], 'state') ~= ARGV[3] then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[4], 'owner', ARGV[1], 'lease', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[5])
redis.call('ZREM', KEYS[3], ARGV[5])
return 1
"""
_RENEW = """
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
if redis.call('HGET', KEYS[1], 'state') ~= ARGV[3] then return 0 end
redis.call('HSET', KEYS[1], 'lease', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[4])
return 1
"""
_RELEASE = """
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
if redis.call('HGET', KEYS[1], 'state') ~= ARGV[5] then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'reason', ARGV[3], 'owner', '', 'lease', 0)
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'attempts', ARGV[4]) end
redis.call('ZREM', KEYS[2], ARGV[6])
if ARGV[7] ~= '' then redis.call('ZADD', KEYS[3], ARGV[7], ARGV[6]) end
return 1
"""
_EXPIRED = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local back = {}
for _, id in ipairs(ids) do
  local key = ARGV[2] .. id
  redis.call('ZREM', KEYS[1], id)
  local lease = tonumber(redis.call('HGET', key, 'lease'))
  if lease and redis.call('HGET', key, 'state') == ARGV[3] and lease <= tonumber(ARGV[1]) then
    redis.call('HSET', key, 'state', ARGV[4], 'owner', '')
    redis.call('ZADD', KEYS[2], ARGV[5], id)
    table.insert(back, id)
  end
end
return back
"""
_STALE = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local back = {}
for _, id in ipairs(ids) do
  if redis.call('HGET', ARGV[2] .. id, 'state') == ARGV[3] then
    redis.call('ZADD', KEYS[1], ARGV[4], id)
    table.insert(back, id)
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return back
"""
_RENEW_LOCK = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""
_UNLOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisStore:
    """Deliveries as hashes that expire after a week; running jobs in a sorted set by lease."""

    def __init__(self, url: str, *, stale_after: float = STALE_AFTER) -> None:
        from redis import Redis

        self.stale_after = stale_after
        self.redis: Redis = Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5)
        self._scripts = {
            name: self.redis.register_script(text)
            for name, text in (
                ("accept", _ACCEPT),
                ("claim", _CLAIM),
                ("renew", _RENEW),
                ("release", _RELEASE),
                ("expired", _EXPIRED),
                ("stale", _STALE),
                ("renew_lock", _RENEW_LOCK),
                ("unlock", _UNLOCK),
            )
        }
        self._running = PREFIX + "running"
        self._waiting = PREFIX + "waiting"  # queued deliveries by when they count as stale

    def _call(self, name: str, keys: list[str], args: list[Any]) -> Any:
        return self._scripts[name](keys=keys, args=args)

    @staticmethod
    def _key(delivery: str) -> str:
        return f"{PREFIX}d:{delivery}"

    def ping(self) -> None:
        self.redis.ping()

    def accept(self, record: Record) -> bool:
        fields: list[Any] = [
            "event", record.event, "payload", record.payload, "pr_key", record.pr_key,
            "head", record.head or "", "state", record.state, "attempts", record.attempts,
            "reason", record.reason, "owner", "", "lease", 0, "received", time.time(),
        ]  # fmt: skip
        due = time.time() + self.stale_after
        keys = [self._key(record.delivery), self._waiting]
        return bool(self._call("accept", keys, [KEEP_SECONDS, due, record.delivery, *fields]))

    def forget(self, delivery: str) -> None:
        self.redis.delete(self._key(delivery))

    def load(self, delivery: str) -> Record | None:
        raw: dict[bytes, bytes] = self.redis.hgetall(self._key(delivery))  # type: ignore[assignment]
        if not raw or b"state" not in raw:
            return None
        text = {k.decode(): v for k, v in raw.items()}
        return Record(
            delivery=delivery,
            event=text["event"].decode(),
            payload=text["payload"],
            pr_key=text["pr_key"].decode(),
            head=text["head"].decode() or None,
            state=text["state"].decode(),
            attempts=int(text["attempts"]),
            reason=text["reason"].decode(),
        )

    def claim(self, delivery: str, owner: str, lease: float) -> Record | None:
        args = [owner, time.time() + lease, WAITING, RUNNING, delivery]
        if not self._call("claim", [self._key(delivery), self._running, self._waiting], args):
            return None
        return self.load(delivery)

    def renew(self, deliveries: list[str], owner: str, lease: float) -> None:
        for delivery in deliveries:
            args = [owner, time.time() + lease, RUNNING, delivery]
            self._call("renew", [self._key(delivery), self._running], args)

    def release(
        self, delivery: str, owner: str, state: str, reason: str = "", attempts: int | None = None
    ) -> bool:
        count = "" if attempts is None else str(attempts)
        due = str(time.time() + self.stale_after) if state == WAITING else ""
        args = [owner, state, reason, count, RUNNING, delivery, due]
        keys = [self._key(delivery), self._running, self._waiting]
        return bool(self._call("release", keys, args))

    def expired(self) -> list[str]:
        now = time.time()
        args = [now, f"{PREFIX}d:", RUNNING, WAITING, now + self.stale_after]
        return [i.decode() for i in self._call("expired", [self._running, self._waiting], args)]

    def stale(self) -> list[str]:
        now = time.time()
        args = [now, f"{PREFIX}d:", WAITING, now + self.stale_after]
        return [i.decode() for i in self._call("stale", [self._waiting], args)]

    def prune(self) -> None:
        """Nothing to do: delivery hashes expire on their own."""

    def lock(self, key: str, owner: str, ttl: float) -> bool:
        name = f"{PREFIX}lock:{key}"
        if self.redis.set(name, owner, nx=True, px=int(ttl * 1000)):
            return True
        return self.redis.get(name) == owner.encode() and self.renew_lock(key, owner, ttl)

    def renew_lock(self, key: str, owner: str, ttl: float) -> bool:
        args = [owner, int(ttl * 1000)]
        return bool(self._call("renew_lock", [f"{PREFIX}lock:{key}"], args))

    def unlock(self, key: str, owner: str) -> None:
        self._call("unlock", [f"{PREFIX}lock:{key}"], [owner])
