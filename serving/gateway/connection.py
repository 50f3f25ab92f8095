"""Per-connection limits of the gateway's HTTP/1.1 server.

Why uvicorn with h11 and this subclass (measured in tests/serving/gateway/test_server_limits.py
and tests/integration/test_hostile_clients.py): uvicorn's httptools parser buffers request heads
without any bound (30 connections sending four 8 MB headers took the process past 1.1 GB);
h11 refuses a head larger than its max_incomplete_event_size, so memory per connection stays
bounded. Plain uvicorn still never closes a connection that sends nothing, or sends its request
a byte at a time (its keep-alive timer only starts after a first response), and answers
oversized heads and its own concurrency limit with text/plain. The subclass below, passed as
uvicorn's documented `http` protocol class, adds a deadline for reading each request, an idle
timer from the first byte, a cap on open connections, and OpenAI-shaped JSON for each refusal.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from serving.gateway.config import ServerLimits
from serving.gateway.errors import error_body

OVER_CAPACITY_RETRY_AFTER = "1"


def _raw_response(status: int, reason: bytes, message: str, code: str) -> bytes:
    body = json.dumps(error_body(status, message, code)).encode()
    head = [b"HTTP/1.1 %d %s\r\n" % (status, reason), b"content-type: application/json\r\n", b"content-length: %d\r\n" % len(body), b"connection: close\r\n"]
    return b"".join(head) + b"\r\n" + body


async def over_capacity(scope, receive, send) -> None:
    """The ASGI app a connection beyond max_connections is served by: 503, Retry-After, close."""
    body = json.dumps(error_body(503, "the gateway has too many open connections; retry shortly", "server_busy")).encode()
    headers = [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"retry-after", OVER_CAPACITY_RETRY_AFTER.encode()), (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def protocol_class(limits: ServerLimits, refused: Callable[[str], None] = lambda reason: None) -> type[H11Protocol]:
    """An H11Protocol class that enforces `limits` (uvicorn builds one instance per connection).
    `refused(reason)` counts each refusal no route sees (no audit record exists for those)."""

    class LimitedH11Protocol(H11Protocol):
        _read_deadline = None

        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            if len(self.connections) > limits.max_connections:
                refused("server_busy")
                self.app = over_capacity  # read the request head (bounded), then answer 503 and close
            # Idle from the first moment, not only after a first response.
            self.timeout_keep_alive_task = self.loop.call_later(limits.keep_alive_timeout_seconds, self.timeout_keep_alive_handler)

        def data_received(self, data: bytes) -> None:
            if self._read_deadline is None and self.conn.their_state in (h11.IDLE, h11.SEND_BODY):
                self._read_deadline = self.loop.call_later(limits.request_read_timeout_seconds, self._read_timed_out)
            super().data_received(data)
            if self.conn.their_state not in (h11.IDLE, h11.SEND_BODY):
                self._clear_read_deadline()

        def connection_lost(self, exc) -> None:
            self._clear_read_deadline()
            super().connection_lost(exc)

        def _clear_read_deadline(self) -> None:
            if self._read_deadline is not None:
                self._read_deadline.cancel()
                self._read_deadline = None

        def _read_timed_out(self) -> None:
            self._read_deadline = None
            if self.transport.is_closing():
                return
            refused("request_timeout")
            if self.cycle is None or self.conn.their_state is h11.IDLE:
                # The head never completed: nothing of ours is on the wire yet.
                message = f"the request was not received within {limits.request_read_timeout_seconds:g} seconds"
                self.transport.write(_raw_response(408, b"Request Timeout", message, "request_timeout"))
            # A body that stalls: closing ends the handler's read with a disconnect.
            self.transport.close()

        def send_400_response(self, msg: str) -> None:
            # h11 refuses a head larger than its max_incomplete_event_size with a protocol error.
            pending, _ = self.conn.trailing_data
            if len(pending) > limits.max_header_bytes:
                refused("headers_too_large")
                message = f"request head exceeds {limits.max_header_bytes} bytes"
                self.transport.write(_raw_response(431, b"Request Header Fields Too Large", message, "headers_too_large"))
            else:
                refused("invalid_http")
                self.transport.write(_raw_response(400, b"Bad Request", "the request is not valid HTTP/1.1", "invalid_http"))
            self.transport.close()

    return LimitedH11Protocol
