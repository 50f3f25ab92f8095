"""Per-principal token buckets for requests and tokens per minute.

In one process the buckets live in memory; with several gateway replicas they live in
Redis and one Lua script checks and takes from both buckets atomically, so replicas
share one limit. A refusal says how long to wait (Retry-After).

Redis outage policy, per limit (rate_limits.on_redis_outage): "closed" refuses with 503 and
Retry-After (the default: a limit that cannot be checked is not granted); "local" counts that
limit in this replica's memory until Redis is back (the shared limit becomes per replica).
Every request decided during an outage is counted (facts.METRIC_RATELIMIT_STORE_ERRORS),
/readyz reports the store, and GatewayRateLimitStoreDown alerts on it.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import redis.asyncio as aioredis
import redis.exceptions

from serving.gateway.config import LimitKind, OutagePolicy
from serving.gateway.errors import GatewayError

log = logging.getLogger("privllm.gateway.ratelimit")

OUTAGE_RETRY_AFTER_SECONDS = 5
_REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: float = 0.0
    limit: str = ""  # "requests" or "tokens" when refused


class MemoryLimiter:
    fails_closed = False

    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}

    async def healthy(self) -> bool:
        return True

    async def close(self) -> None:
        """Nothing to release: the buckets live in this process."""

    def _take(self, key: str, capacity: float, amount: float, now: float) -> tuple[bool, float]:
        level, last = self._buckets.get(key, (capacity, now))
        level = min(capacity, level + (now - last) * capacity / 60.0)
        if amount <= level:
            self._buckets[key] = (level - amount, now)
            return True, 0.0
        self._buckets[key] = (level, now)
        return False, (amount - level) * 60.0 / capacity

    async def check(self, principal: str, rpm: int, tpm: int, tokens: int) -> Decision:
        now = time.monotonic()
        # Check both before taking from either, so a refused request costs nothing.
        req_level = self._peek(f"r:{principal}", rpm, now)
        tok_level = self._peek(f"t:{principal}", tpm, now)
        if req_level < 1:
            return Decision(False, (1 - req_level) * 60.0 / rpm, "requests")
        if tokens > tpm:
            return Decision(False, 60.0, "tokens")
        if tok_level < tokens:
            return Decision(False, (tokens - tok_level) * 60.0 / tpm, "tokens")
        self._take(f"r:{principal}", rpm, 1, now)
        self._take(f"t:{principal}", tpm, tokens, now)
        return Decision(True)

    def _peek(self, key: str, capacity: float, now: float) -> float:
        level, last = self._buckets.get(key, (capacity, now))
        return min(capacity, level + (now - last) * capacity / 60.0)


# KEYS: request bucket, token bucket. ARGV: rpm, tpm, tokens, now (ms).
_SCRIPT = """
local function level(key, capacity, now)
  local v = redis.call('HMGET', key, 'level', 'ts')
  local lvl = tonumber(v[1]) or capacity
  local ts = tonumber(v[2]) or now
  lvl = math.min(capacity, lvl + (now - ts) * capacity / 60000)
  return lvl
end
local rpm, tpm, tokens, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local r = level(KEYS[1], rpm, now)
local t = level(KEYS[2], tpm, now)
if r < 1 then return {0, tostring((1 - r) * 60 / rpm), 'requests'} end
if tokens > tpm then return {0, '60', 'tokens'} end
if t < tokens then return {0, tostring((tokens - t) * 60 / tpm), 'tokens'} end
redis.call('HSET', KEYS[1], 'level', r - 1, 'ts', now)
redis.call('HSET', KEYS[2], 'level', t - tokens, 'ts', now)
redis.call('PEXPIRE', KEYS[1], 120000)
redis.call('PEXPIRE', KEYS[2], 120000)
return {1, '0', ''}
"""


class RedisLimiter:
    def __init__(self, url: str, password_file: str | None = None, on_outage: Mapping[LimitKind, OutagePolicy] | None = None, metrics=None):
        password = Path(password_file).read_text().strip() if password_file else None
        self._redis = aioredis.from_url(url, password=password, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._script = self._redis.register_script(_SCRIPT)
        self._on_outage: dict[LimitKind, OutagePolicy] = dict(on_outage or {"requests": "closed", "tokens": "closed"})
        self._local = MemoryLimiter()
        self._metrics = metrics

    @property
    def fails_closed(self) -> bool:
        return "closed" in self._on_outage.values()

    async def healthy(self) -> bool:
        try:
            return bool(await self._redis.ping())
        except _REDIS_DOWN:
            return False

    async def check(self, principal: str, rpm: int, tpm: int, tokens: int) -> Decision:
        now_ms = int(time.time() * 1000)
        try:
            allowed, retry, limit = await self._script(keys=[f"privllm:rl:r:{principal}", f"privllm:rl:t:{principal}"], args=[rpm, tpm, tokens, now_ms])
        except _REDIS_DOWN as exc:
            return await self._outage(principal, rpm, tpm, tokens, exc)
        return Decision(bool(int(allowed)), float(retry), limit.decode() if isinstance(limit, bytes) else limit)

    async def _outage(self, principal: str, rpm: int, tpm: int, tokens: int, exc: Exception) -> Decision:
        closed = sorted(limit for limit, policy in self._on_outage.items() if policy == "closed")
        if self._metrics is not None:
            self._metrics.ratelimit_store_errors.labels("closed" if closed else "local").inc()
        log.warning("rate-limit store unreachable (%s): %s", type(exc).__name__, "refusing" if closed else "counting locally")
        if closed:
            raise GatewayError(
                503, f"rate limits ({', '.join(closed)}) cannot be checked right now; retry shortly", "rate_limit_store_unavailable",
                headers={"Retry-After": str(OUTAGE_RETRY_AFTER_SECONDS)},
            )
        return await self._local.check(principal, rpm, tpm, tokens)

    async def close(self) -> None:
        await self._redis.aclose()


def retry_after_header(seconds: float) -> dict[str, str]:
    return {"Retry-After": str(max(1, math.ceil(seconds)))}
