"""The gateway's typed state: what every route may use, on the app (never module globals).

Collaborators with more than one implementation (rate limiter, review store, key store) are
named by the small interface the routes call, so a type checker sees every use.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from serving.gateway import exchange
from serving.gateway.audit import AuditLog, AuditRecord
from serving.gateway.auth import OidcVerifier
from serving.gateway.config import GatewayConfig, load_config
from serving.gateway.guards.review import ReviewItem
from serving.gateway.keys import KeyStore
from serving.gateway.metrics import GatewayMetrics
from serving.gateway.pipeline import GuardPipeline
from serving.gateway.ratelimit import Decision, MemoryLimiter, RedisLimiter
from serving.gateway.steps import default_pipeline
from serving.gateway.upstream import Upstreams


class Limiter(Protocol):
    @property
    def fails_closed(self) -> bool: ...  # refuses while its store is down (/readyz reports not ready)

    async def check(self, principal: str, rpm: int, tpm: int, tokens: int) -> Decision: ...

    async def healthy(self) -> bool: ...

    async def close(self) -> None: ...


class ReviewStore(Protocol):
    clock: Callable[[], float]  # decides review deadlines; tests pass one they advance

    def put(self, item: ReviewItem) -> None: ...

    def get(self, review_id: str) -> ReviewItem | None: ...

    def all(self) -> list[ReviewItem]: ...


def _limiter_for(config: GatewayConfig, metrics: GatewayMetrics) -> Limiter:
    rl = config.rate_limits
    return RedisLimiter(rl.redis_url, rl.redis_password_file, rl.on_redis_outage, metrics) if rl.redis_url else MemoryLimiter()


@dataclass
class GatewayState:
    config: GatewayConfig
    key_store: KeyStore
    audit: AuditLog
    reviews: ReviewStore
    config_path: Path | None = None
    metrics: GatewayMetrics = field(default_factory=GatewayMetrics)
    limiter: Limiter | None = None
    upstreams: Upstreams | None = None
    oidc: OidcVerifier | None = None
    config_mtime: float = 0.0
    pipeline: GuardPipeline = field(default_factory=default_pipeline)

    def __post_init__(self) -> None:
        self.limiter = self.limiter or _limiter_for(self.config, self.metrics)
        self.upstreams = self.upstreams or Upstreams(self.config)
        self.upstreams.wake.bind(self.metrics.pending)  # pending demand of scale-to-zero models (serving/gateway/wake.py)
        self.oidc = OidcVerifier(self.config.oidc) if self.config.oidc else None

    @property
    def rate_limiter(self) -> Limiter:
        assert self.limiter is not None  # set in __post_init__
        return self.limiter

    @property
    def models(self) -> Upstreams:
        assert self.upstreams is not None  # set in __post_init__
        return self.upstreams

    def finish(self, record: AuditRecord, started: float) -> None:
        """A handler is done with its record. Inside a request the exchange middleware completes
        it once the status actually sent is known; elsewhere it is completed now."""
        if not exchange.defer(record, started):
            self.complete(record, started)

    def complete(self, record: AuditRecord, started: float) -> asyncio.Future | None:
        """Metrics and audit for a finished exchange; in durable mode a future of the fsync."""
        elapsed = time.perf_counter() - started
        record.latency_ms = round(elapsed * 1000, 3)
        self.metrics.requests.labels(record.route, record.model or "", str(record.status)).inc()
        self.metrics.duration.labels(record.route).observe(elapsed)
        return self.audit.emit(record)

    def reload(self) -> bool:
        """Re-read the config file (kill switch, canary weights) without a restart."""
        if self.config_path is None:
            return False
        mtime = self.config_path.stat().st_mtime
        if mtime == self.config_mtime:
            return False
        new = load_config(self.config_path)
        self.config, self.config_mtime = new, mtime
        self.models.reconfigure(new)
        return True
