"""Scale from zero that wakes: hold requests for a model with no ready endpoint until it is ready.

A model scaled to zero has no pods behind its Service, so a call fails at once and nothing
would hold the demand long enough for KEDA to see it. For upstreams configured with
``scale_to_zero``, the gateway instead:
- probes the model's /health (cheaply: a ready model is re-probed at most every ``ready_ttl``);
- when it is not ready, holds the request in a bounded queue per model and counts it in the
  gateway's pending-requests gauge (privllm.facts.METRIC_PENDING_REQUESTS), which the model's
  ScaledObject wakes on;
- polls until the model answers, then releases every held request at once;
- answers 503 with Retry-After (OpenAI-shaped, via GatewayError) when the queue is full or a
  request has waited ``hold_seconds``.
Time and sleeping are injected (``clock``, ``sleep``) so tests drive them without waiting.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp
from prometheus_client import Gauge

from privllm.serving.gateway.errors import GatewayError

MAX_PENDING = 256
HOLD_SECONDS = 300.0
READY_TTL_SECONDS = 10.0
POLL_SECONDS = 2.0
RETRY_AFTER_SECONDS = 30


@dataclass
class _Held:
    future: asyncio.Future
    deadline: float


@dataclass
class _ModelState:
    ready_until: float = float("-inf")
    held: list[_Held] = field(default_factory=list)
    poller: asyncio.Task | None = None


Probe = Callable[[str], Awaitable[bool]]


class WakeGate:
    def __init__(
        self,
        models: set[str] | frozenset[str] = frozenset(),
        *,
        max_pending: int = MAX_PENDING,
        hold_seconds: float = HOLD_SECONDS,
        ready_ttl: float = READY_TTL_SECONDS,
        poll_seconds: float = POLL_SECONDS,
        retry_after: int = RETRY_AFTER_SECONDS,
        probe: Probe | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ):
        self.models = frozenset(models)
        self.max_pending, self.hold_seconds, self.ready_ttl = max_pending, hold_seconds, ready_ttl
        self.poll_seconds, self.retry_after = poll_seconds, retry_after
        self._probe = probe
        self._clock, self._sleep = clock, sleep
        self._state: dict[str, _ModelState] = {}
        self._gauge: Gauge | None = None
        self._session: aiohttp.ClientSession | None = None
        self.hold_by_model: dict[str, float] = {}  # per model, from the gateway config; else hold_seconds

    @classmethod
    def for_config(cls, config) -> WakeGate:
        gate = cls()
        gate.reconfigure(config)
        return gate

    def reconfigure(self, config) -> None:
        self.models = frozenset(u.name for u in config.upstreams if u.scale_to_zero)
        self.hold_by_model = {u.name: u.wake_hold_seconds for u in config.upstreams if u.scale_to_zero}

    def bind(self, gauge: Gauge) -> None:
        """Count held requests in the gateway's pending-demand gauge (GatewayMetrics.pending)."""
        self._gauge = gauge
        for model in self.models:
            self._gauge.labels(model).set(0)

    def pending(self, model: str) -> int:
        state = self._state.get(model)
        return len(state.held) if state else 0

    async def hold(self, model: str, target: str, session: aiohttp.ClientSession) -> None:
        """Return once ``model`` is ready; raise GatewayError 503 when it is not ready in time or the queue is full."""
        if model not in self.models:
            return
        self._session = session
        state = self._state.setdefault(model, _ModelState())
        now = self._clock()
        if now < state.ready_until:
            return
        if not state.held and await self._ready(target):
            state.ready_until = now + self.ready_ttl
            return
        if len(state.held) >= self.max_pending:
            raise self._unavailable(model, f"{len(state.held)} requests are already waiting for it")
        held = _Held(asyncio.get_running_loop().create_future(), now + self.hold_by_model.get(model, self.hold_seconds))
        state.held.append(held)
        self._set_gauge(model, state)
        if state.poller is None or state.poller.done():
            state.poller = asyncio.create_task(self._poll(model, target, state))
        try:
            await held.future
        finally:
            if held in state.held:
                state.held.remove(held)
            self._set_gauge(model, state)

    async def _poll(self, model: str, target: str, state: _ModelState) -> None:
        while state.held:
            if await self._ready(target):
                state.ready_until = self._clock() + self.ready_ttl
                for held in state.held:
                    if not held.future.done():
                        held.future.set_result(None)
                state.held.clear()
                self._set_gauge(model, state)
                return
            now = self._clock()
            for held in [h for h in state.held if h.deadline <= now]:
                state.held.remove(held)
                if not held.future.done():
                    hold = self.hold_by_model.get(model, self.hold_seconds)
                    held.future.set_exception(self._unavailable(model, f"it was not ready within {hold:.0f} s"))
            self._set_gauge(model, state)
            if state.held:
                await self._sleep(self.poll_seconds)

    def _set_gauge(self, model: str, state: _ModelState) -> None:
        if self._gauge is not None:
            self._gauge.labels(model).set(len(state.held))

    def _unavailable(self, model: str, why: str) -> GatewayError:
        return GatewayError(
            503,
            f"model {model!r} is starting from zero replicas and {why}; retry after {self.retry_after} s",
            "model_waking",
            headers={"Retry-After": str(self.retry_after)},
        )

    async def _ready(self, target: str) -> bool:
        if self._probe is not None:
            return await self._probe(target)
        if self._session is None:
            return False
        try:
            async with self._session.get(f"{target}/health", timeout=aiohttp.ClientTimeout(total=5, sock_connect=2)) as r:
                return r.status == 200
        except (aiohttp.ClientError, TimeoutError):
            return False
