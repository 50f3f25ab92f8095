"""What every model route shares: the audit record around a handler, reading and admitting
a request (identity, schema, model), rate limits and the upstream call."""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from privllm.serving.gateway import upstream as upstream_client
from privllm.serving.gateway.audit import AuditRecord, content
from privllm.serving.gateway.auth import Principal, authenticate
from privllm.serving.gateway.config import Upstream
from privllm.serving.gateway.errors import GatewayError
from privllm.serving.gateway.fields import TextField
from privllm.serving.gateway.pipeline import GuardContext
from privllm.serving.gateway.ratelimit import retry_after_header
from privllm.serving.gateway.schema import ApiRequest, parse
from privllm.serving.gateway.state import GatewayState
from privllm.serving.gateway.upstream import Route

Handler = Callable[[Request, GatewayState, AuditRecord], Awaitable[Response]]


def estimate_tokens(text: str) -> int:
    # About four characters per token for English BPE vocabularies; the limit is a budget, not a bill.
    return math.ceil(len(text) / 4)


def audited(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """One audit record per request, whatever the outcome; a stream writes its own at its end."""

    async def endpoint(request: Request) -> Response:
        state: GatewayState = request.app.state.gateway
        record = AuditRecord(request_id=request.headers.get("x-request-id") or uuid.uuid4().hex, route=request.url.path, method=request.method)
        started = time.perf_counter()
        streaming = False
        try:
            response = await handler(request, state, record)
            streaming = isinstance(response, StreamingResponse)
            return response
        except GatewayError as exc:
            record.status, record.reason = exc.status, exc.code
            record.decision = "denied" if exc.status < 500 else "error"
            if exc.guard:
                state.metrics.guard_blocks.labels(exc.guard).inc()
            return exc.response()
        except ClientDisconnect:
            record.status, record.decision, record.reason = 499, "error", "client_closed"
            return Response(status_code=499)
        finally:
            if not streaming:
                state.finish(record, started)

    return endpoint


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise GatewayError(400, "invalid Content-Length", "invalid_request")
        if int(declared) > limit:
            raise GatewayError(413, f"request body is {declared} bytes; the limit is {limit}", "body_too_large")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise GatewayError(413, f"request body exceeds the {limit}-byte limit", "body_too_large")
        chunks.append(chunk)
    return b"".join(chunks)


def model_not_found(name: str) -> GatewayError:
    # The same answer for a model that does not exist and one the key may not use: no existence oracle.
    return GatewayError(404, f"model {name!r} does not exist or your key may not use it; GET /v1/models lists yours", "model_not_found", param="model")


def visible_model(state: GatewayState, principal: Principal, name: str) -> Upstream:
    upstream = state.config.upstream(name)
    if upstream is None or name not in principal.models:
        raise model_not_found(name)
    return upstream


@dataclass
class Admitted:
    """A request that passed identity, schema and model checks, with its guard context."""

    request: ApiRequest
    body: dict[str, Any]
    route: Route
    ctx: GuardContext

    @property
    def principal(self) -> Principal:
        return self.ctx.principal

    @property
    def upstream(self) -> Upstream:
        return self.route.upstream


async def admit(request: Request, state: GatewayState, record: AuditRecord, schema: type[ApiRequest]) -> Admitted:
    body = await read_body(request, state.config.max_body_bytes)
    principal = authenticate(request.headers, state.key_store, state.oidc)
    record.principal, record.key_id = principal.name, principal.key_id
    ctype = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    # curl -d sends x-www-form-urlencoded by default; the body is parsed as JSON either way.
    if ctype not in ("application/json", "", "application/x-www-form-urlencoded", "text/plain"):
        raise GatewayError(415, f"Content-Type {ctype!r} is not supported; send application/json", "unsupported_media_type")
    req, raw = parse(schema, body)
    model = req.model
    record.model = model
    visible_model(state, principal, model)
    route = state.models.route(model)
    record.target, record.variant, record.rerouted_from = route.target, route.variant, route.rerouted_from
    record.data_classification = route.upstream.data_classification
    ctx = GuardContext(state.config, route.upstream, principal, record, state.metrics, http=lambda: state.models.session)
    return Admitted(req, raw, route, ctx)


def usage_tokens(answer: dict, key: str) -> int | None:
    """A token count from the model's usage block, or None when it sent none (or nonsense)."""
    usage = answer.get("usage")
    value = usage.get(key) if isinstance(usage, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def log_prompt(state: GatewayState, record: AuditRecord, fields: list[TextField]) -> None:
    text = "\n".join(f.text for f in fields)
    record.input_tokens = estimate_tokens(text)
    record.prompt = content(text, state.config.prompt_logging)


async def enforce_rate_limits(state: GatewayState, admitted: Admitted, requested: int) -> None:
    principal, config = admitted.principal, state.config
    rpm = principal.rpm or config.rate_limits.requests_per_minute
    tpm = principal.tpm or config.rate_limits.tokens_per_minute
    decision = await state.rate_limiter.check(principal.name, rpm, tpm, requested)
    if not decision.allowed:
        state.metrics.rate_limited.labels(decision.limit).inc()
        admitted.ctx.record.guard("PLLM-G-RATE-LIMIT", "block", decision.limit)
        raise GatewayError(429, f"rate limit reached ({decision.limit} per minute)", f"rate_limit_{decision.limit}", headers=retry_after_header(decision.retry_after))


async def call_json(state: GatewayState, route: Route, path: str, payload: bytes) -> tuple[dict, int]:
    gauge = state.metrics.inflight.labels(route.upstream.name)
    gauge.inc()
    try:
        response = await state.models.post(route, path, payload)
        async with response:
            return await upstream_client.read_json(route, response), response.status
    finally:
        gauge.dec()
        state.metrics.circuit_open.labels(route.upstream.name).set(1 if state.models.circuit(route.target).open else 0)


def upstream_error(record: AuditRecord, answer: dict, status: int) -> Response:
    record.status, record.decision, record.reason = status, "error", "upstream_error"
    return JSONResponse(answer, status_code=status if status < 500 else 502)
