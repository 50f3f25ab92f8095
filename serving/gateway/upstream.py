"""Calls to the model servers: pooled connections, timeouts, a circuit breaker per target,
weighted canary routing and the kill switch. Non-idempotent calls are never retried."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp

from privllm.serving.gateway.config import GatewayConfig, Upstream
from privllm.serving.gateway.errors import GatewayError, error_body
from privllm.serving.gateway.wake import WakeGate

FAILURES_TO_OPEN = 5
OPEN_SECONDS = 30.0


@dataclass
class Circuit:
    failures: int = 0
    opened_at: float | None = None

    def allow(self) -> bool:
        if self.opened_at is None:
            return True
        # Half-open after the cool-down: one request tries again.
        return time.monotonic() - self.opened_at >= OPEN_SECONDS

    def success(self) -> None:
        self.failures, self.opened_at = 0, None

    def failure(self) -> None:
        self.failures += 1
        if self.failures >= FAILURES_TO_OPEN:
            self.opened_at = time.monotonic()

    @property
    def open(self) -> bool:
        return self.opened_at is not None


@dataclass(frozen=True)
class Route:
    upstream: Upstream  # the configured model (classification, guards)
    target: str  # base URL actually called
    variant: str  # "primary" or "canary"
    rerouted_from: str | None = None  # set when the kill switch sent it to a fallback


class Upstreams:
    def __init__(self, config: GatewayConfig, session: aiohttp.ClientSession | None = None):
        self.config = config
        self._session = session
        self.circuits: dict[str, Circuit] = {}
        self.wake = WakeGate.for_config(config)  # holds requests for scale-to-zero models until they are ready

    def reconfigure(self, config: GatewayConfig) -> None:
        self.config = config
        self.wake.reconfigure(config)

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=512, limit_per_host=256, keepalive_timeout=60, ttl_dns_cache=60)
            self._session = aiohttp.ClientSession(connector=connector, auto_decompress=False, skip_auto_headers=("User-Agent",))
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    def route(self, model: str) -> Route:
        upstream = self.config.upstream(model)
        if upstream is None:
            raise GatewayError(404, f"model {model!r} does not exist; GET /v1/models lists yours", "model_not_found", param="model")
        rerouted = None
        if upstream.state == "disabled":
            raise GatewayError(503, f"model {model!r} is taken out of service", "model_disabled", headers={"Retry-After": "60"})
        if upstream.state == "fallback":
            rerouted = model
            fallback = self.config.upstream(upstream.fallback or "")
            if fallback is None:  # the config validator names existing models only; a reload race
                raise GatewayError(503, f"model {model!r} is taken out of service", "model_disabled", headers={"Retry-After": "60"})
            upstream = fallback
        if upstream.canary and random.randrange(100) < upstream.canary.weight:
            return Route(upstream, upstream.canary.url.rstrip("/"), "canary", rerouted)
        return Route(upstream, upstream.url.rstrip("/"), "primary", rerouted)

    def circuit(self, target: str) -> Circuit:
        return self.circuits.setdefault(target, Circuit())

    async def post(self, route: Route, path: str, body: bytes) -> aiohttp.ClientResponse:
        await self.wake.hold(route.upstream.name, route.target, self.session)
        circuit = self.circuit(route.target)
        if not circuit.allow():
            raise GatewayError(503, f"model {route.upstream.name!r} is failing; try again shortly", "upstream_circuit_open", headers={"Retry-After": str(int(OPEN_SECONDS))})
        timeout = aiohttp.ClientTimeout(total=route.upstream.timeout_seconds, sock_connect=2)
        try:
            # Only Content-Type goes upstream: identity headers a client sends (X-User, X-Forwarded-User, ...)
            # are never read by the gateway and never forwarded.
            response = await self.session.post(f"{route.target}{path}", data=body, headers={"Content-Type": "application/json"}, timeout=timeout)
        except TimeoutError:
            circuit.failure()
            raise GatewayError(504, f"model {route.upstream.name!r} did not answer in time", "upstream_timeout") from None
        except aiohttp.ClientError as exc:
            circuit.failure()
            raise GatewayError(503, f"model {route.upstream.name!r} is unreachable ({type(exc).__name__})", "upstream_unavailable", headers={"Retry-After": "5"}) from None
        if response.status >= 500:
            circuit.failure()
        else:
            circuit.success()
        return response

    async def models(self, url: str) -> list[str]:
        async with self.session.get(f"{url.rstrip('/')}/v1/models", timeout=aiohttp.ClientTimeout(total=10)) as r:
            r.raise_for_status()
            return [m["id"] for m in (await r.json()).get("data", [])]


async def read_json(route: Route, response: aiohttp.ClientResponse) -> dict:
    """The body of a non-streamed answer: a truncated body, a reset or anything but JSON is 502."""
    name = route.upstream.name
    try:
        body = await response.read()
    except aiohttp.ClientPayloadError:
        raise GatewayError(502, f"model {name!r} sent a truncated response", "upstream_bad_response") from None
    except aiohttp.ClientError as exc:
        raise GatewayError(502, f"model {name!r} broke off its response ({type(exc).__name__})", "upstream_bad_response") from None
    except TimeoutError:
        raise GatewayError(504, f"model {name!r} did not finish its answer in time", "upstream_timeout") from None
    try:
        answer = json.loads(body)
    except (ValueError, RecursionError):
        raise GatewayError(502, f"model {name!r} returned a body that is not JSON", "upstream_bad_response") from None
    return answer if isinstance(answer, dict) else {"data": answer}


DONE_EVENT = b"data: [DONE]\n\n"


@dataclass(frozen=True)
class StreamFailure:
    code: str  # upstream_reset | upstream_timeout | upstream_bad_response | upstream_incomplete
    message: str

    def event(self) -> bytes:
        """The SSE error event the client gets (followed by [DONE])."""
        return b"data: " + json.dumps(error_body(502 if self.code != "upstream_timeout" else 504, self.message, self.code)).encode() + b"\n\n"


class UpstreamStream:
    """The events of a model's SSE answer, parsed, with every way it can go wrong turned into
    `failure` instead of an exception: a reset, a stall longer than `stall_seconds`, an event that
    is not JSON, or an end before [DONE]. The route iterates `events()`, then sends what it still
    holds (flushed redactors), then `failure.event()` when set, then DONE_EVENT."""

    def __init__(self, response: aiohttp.ClientResponse, model: str, stall_seconds: float):
        self._response = response
        self._model = model
        self._stall = stall_seconds
        self.failure: StreamFailure | None = None

    async def events(self) -> AsyncIterator[dict]:
        buffer = b""
        chunks = self._response.content.iter_any().__aiter__()
        while True:
            try:
                async with asyncio.timeout(self._stall):
                    chunk = await chunks.__anext__()
            except StopAsyncIteration:
                break
            except TimeoutError:
                self.failure = StreamFailure("upstream_timeout", f"model {self._model!r} stopped sending for {self._stall:g} seconds")
                return
            except aiohttp.ClientError as exc:
                self.failure = StreamFailure("upstream_reset", f"model {self._model!r} broke off its stream ({type(exc).__name__})")
                return
            buffer += chunk
            while b"\n\n" in buffer:
                raw, buffer = buffer.split(b"\n\n", 1)
                for line in raw.splitlines():
                    if not line.startswith(b"data:"):
                        continue  # comments, event names, ids
                    data = line[5:].strip()
                    if data == b"[DONE]":
                        return
                    try:
                        event = json.loads(data)
                    except (ValueError, RecursionError):
                        event = None
                    if not isinstance(event, dict):
                        self.failure = StreamFailure("upstream_bad_response", f"model {self._model!r} sent an event that is not a JSON object")
                        return
                    yield event
        self.failure = StreamFailure("upstream_incomplete", f"model {self._model!r} ended its stream before [DONE]")
