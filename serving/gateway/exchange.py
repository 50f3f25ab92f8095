"""One request-response exchange as the client saw it: the ASGI middleware between the server
and the routes.

- The audit record's status is the status actually sent: handlers hand their record over
  (GatewayState.finish) and this middleware completes it once the response is known.
- No response leaves as text/plain: an exception that escapes a handler becomes an OpenAI-shaped
  JSON error (a failing model or store 502/503/504, anything unexpected a 500 with an incident id
  that the audit record and the log line share). A stream already under way ends with an SSE
  error event and [DONE].
- Durable audit: the end of the response (the whole body, or a stream's last event) is held until
  the record is fsynced; if it cannot be written the client gets 503 instead.
- Too many header fields: 431 (the size of the head is capped by the HTTP server).
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import time
import uuid
from dataclasses import dataclass

import aiohttp
import redis.exceptions

from privllm.serving.gateway.audit import AuditRecord
from privllm.serving.gateway.connection import HEADER_FIELDS_EXTENSION
from privllm.serving.gateway.errors import GatewayError, error_body

log = logging.getLogger("privllm.gateway")

_current: contextvars.ContextVar[Exchange | None] = contextvars.ContextVar("privllm_exchange", default=None)


@dataclass
class Exchange:
    record: AuditRecord | None = None
    started: float = 0.0
    status: int | None = None  # as sent
    streaming: bool = False


def defer(record: AuditRecord, started: float) -> bool:
    """Called by GatewayState.finish: inside a request, the record is completed here once the
    response is known (True); outside one (tests, background work) the caller emits it."""
    exchange = _current.get()
    if exchange is None:
        return False
    exchange.record, exchange.started = record, started
    return True


def _classify(exc: BaseException) -> GatewayError | None:
    """Failures of the model or a store that escaped a handler, as the client should see them."""
    if isinstance(exc, GatewayError):
        return exc
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return GatewayError(504, "a dependency of the gateway did not answer in time", "upstream_timeout")
    if isinstance(exc, aiohttp.ClientPayloadError | aiohttp.ContentTypeError | json.JSONDecodeError | UnicodeDecodeError):
        return GatewayError(502, "the model's response was truncated or is not valid", "upstream_bad_response")
    if isinstance(exc, aiohttp.ClientError):
        return GatewayError(502, f"the connection to the model failed ({type(exc).__name__})", "upstream_bad_response")
    if isinstance(exc, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError):
        return GatewayError(503, "a store the gateway depends on is unreachable; retry shortly", "store_unavailable", headers={"Retry-After": "5"})
    if isinstance(exc, RecursionError):
        return GatewayError(400, "the request is nested too deeply", "json_too_deep")
    return None


def sse_error(message: str, code: str, status: int = 502) -> bytes:
    """The end of a failed stream: one error event, then [DONE]."""
    return b"data: " + json.dumps(error_body(status, message, code)).encode() + b"\n\ndata: [DONE]\n\n"


class ExchangeMiddleware:
    def __init__(self, app, state_of=lambda scope: scope["app"].state.gateway):
        self.app = app
        self._state_of = state_of

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = self._state_of(scope)
        refusal = _head_refusal(scope, state.config.server)
        if refusal is not None:
            record = AuditRecord(request_id=uuid.uuid4().hex, route=scope["path"], method=scope["method"])
            record.status, record.decision, record.reason = refusal.status, "denied", refusal.code
            outcome = state.complete(record, time.perf_counter())
            if outcome is not None:
                await asyncio.gather(outcome, return_exceptions=True)
            await _send_error(send, refusal)
            return
        exchange = Exchange()
        token = _current.set(exchange)
        started = time.perf_counter()
        held: list[dict] = []  # durable mode: messages not yet released
        durable = state.audit.durable

        async def release_after_record(final: dict) -> None:
            record_id = exchange.record.record_id if exchange.record else "-"
            outcome = _complete(state, exchange, started)
            try:
                if outcome is not None:
                    await outcome
            except OSError as exc:
                log.error("audit record %s could not be written: %s", record_id, exc)
                if exchange.streaming:
                    return  # the head is out: the stream stays unfinished, the client sees no [DONE]
                held.clear()
                await _send_error(send, GatewayError(503, "the audit trail cannot record this request; retry shortly", "audit_unavailable", headers={"Retry-After": "5"}))
                return
            for message in held:
                await send(message)
            held.clear()
            await send(final)

        async def tracked_send(message: dict) -> None:
            if message["type"] == "http.response.start":
                exchange.status = message["status"]
                exchange.streaming = any(k == b"content-type" and v.startswith(b"text/event-stream") for k, v in message.get("headers", ()))
                if durable and not exchange.streaming:
                    held.append(message)
                    return
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                # The record is complete before the last byte leaves (and, durable, written).
                await release_after_record(message)
                return
            elif durable and message["type"] == "http.response.body":
                if exchange.streaming:
                    # Keep one event back, so the last one (with [DONE]) waits for the record.
                    previous, held[:] = held[:], [message]
                    for m in previous:
                        await send(m)
                    return
                held.append(message)
                return
            await send(message)

        try:
            await self.app(scope, receive, tracked_send)
        except Exception as exc:  # noqa: BLE001 - the last line of defence: every failure gets a JSON answer and a record
            await self._failed(state, scope, exchange, exc, send, held, started)
        finally:
            _current.reset(token)
            if exchange.record is not None:
                outcome = _complete(state, exchange, started)
                if outcome is not None:
                    await asyncio.gather(outcome, return_exceptions=True)

    async def _failed(self, state, scope, exchange: Exchange, exc: Exception, send, held: list[dict], started: float) -> None:
        known = _classify(exc)
        incident = None if known is not None else uuid.uuid4().hex[:16]
        record = exchange.record or AuditRecord(request_id=_header(scope, b"x-request-id") or uuid.uuid4().hex, route=scope["path"], method=scope["method"])
        exchange.record = record
        if incident:
            record.incident_id = incident
            log.error("unexpected error on %s %s, incident %s (audit record %s)", scope["method"], scope["path"], incident, record.record_id, exc_info=exc)
        error = known or GatewayError(500, f"internal error; quote incident {incident} to the operator", "internal_error")
        record.reason, record.decision = error.code, ("denied" if error.status < 500 else "error")
        if exchange.status is None or (held and held[0]["type"] == "http.response.start"):
            held.clear()
            exchange.status = error.status
            record.status = error.status
            outcome = _complete(state, exchange, started)
            if outcome is not None:
                await asyncio.gather(outcome, return_exceptions=True)
            await _send_error(send, error, incident)
            return
        # The head is out (a stream): end it as a failed stream, if the connection still stands.
        try:
            for message in held:
                await send(message)
            held.clear()
            if exchange.streaming:
                await send({"type": "http.response.body", "body": sse_error(error.message, error.code, error.status), "more_body": False})
        except OSError:
            log.info("client gone while ending a failed stream")


def _complete(state, exchange: Exchange, started: float):
    record = exchange.record
    if record is None:
        return None
    exchange.record = None
    # What the client received; a stream that failed after its 200 head says so in decision and reason.
    status = record.status = exchange.status or record.status or 500
    if record.decision == "allowed" and status >= 400:
        record.decision = "error" if status >= 500 else "denied"
        record.reason = record.reason or f"http_{status}"
    return state.complete(record, exchange.started or started)


async def _send_error(send, error: GatewayError, incident: str | None = None) -> None:
    body = json.dumps(error_body(error.status, error.message, error.code, error.param, **({"incident_id": incident} if incident else {}))).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode(), str(v).encode()) for k, v in error.headers.items()]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _head_refusal(scope, limits) -> GatewayError | None:
    """431 for too many header fields (the server counts them and keeps only max_headers, see
    serving.gateway.connection), or a pipelined head that arrived whole in one read and so passed
    the server's head bound although larger than the limit."""
    headers = scope["headers"]
    fields = scope.get("extensions", {}).get(HEADER_FIELDS_EXTENSION, {}).get("count", len(headers))
    if fields > limits.max_headers:
        return GatewayError(431, f"the request has {fields} header fields; the limit is {limits.max_headers}", "too_many_headers")
    size = sum(len(k) + len(v) + 4 for k, v in headers)
    if size > limits.max_header_bytes:
        return GatewayError(431, f"request head exceeds {limits.max_header_bytes} bytes", "headers_too_large")
    return None


def _header(scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None
