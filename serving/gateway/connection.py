"""Per-connection limits of the gateway's HTTP/1.1 server.

Why uvicorn's httptools protocol and this subclass (measured in tests/serving/gateway/test_server_limits.py
and tests/integration/test_hostile_clients.py): httptools (llhttp, in C) parses about 15% faster
than the pure-Python h11, but neither it nor uvicorn bounds a request head: header values and the
URL are accumulated in Python for as long as a client keeps sending (30 connections sending four
8 MB headers took the process past 1.1 GB). The subclass counts the bytes of each request head as
they arrive and feeds the parser at most max_header_bytes of them: a head that is still incomplete
at that point is answered 431 and the connection closed before anything more is read, and header
fields beyond max_headers are counted, not kept. So memory per connection stays bounded by the
limits, not by the client. Plain uvicorn also never closes a connection that sends nothing, or sends
its request a byte at a time (its keep-alive timer only starts after a first response), and answers
malformed requests with text/plain. The subclass, passed as uvicorn's documented `http` protocol
class, adds a deadline for reading each request, an idle timer from the first byte, a cap on open
connections, and OpenAI-shaped JSON for each refusal.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from privllm.serving.gateway.config import ServerLimits
from privllm.serving.gateway.errors import error_body

OVER_CAPACITY_RETRY_AFTER = "1"
# ASGI scope extension ({"count": n}, ASGI extensions are dicts) carrying the number of header fields
# a request sent (only max_headers are kept in scope["headers"]); the app refuses it with 431 and audits it.
HEADER_FIELDS_EXTENSION = "privllm.header_fields"


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


def protocol_class(limits: ServerLimits, refused: Callable[[str], None] = lambda reason: None) -> type[HttpToolsProtocol]:
    """An HttpToolsProtocol class that enforces `limits` (uvicorn builds one instance per connection).
    `refused(reason)` counts each refusal no route sees (no audit record exists for those)."""

    class LimitedHttpToolsProtocol(HttpToolsProtocol):
        _read_deadline = None
        # Bytes of the current request head fed to the parser so far; None once its head is complete.
        _head_bytes: int | None = 0
        _header_fields = 0
        _began = False  # a request began during the current feed
        _reported = 0  # bytes of the current head the parser has handed over (URL, header fields)

        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            if len(self.connections) > limits.max_connections:
                refused("server_busy")
                self.app = over_capacity  # read the request head (bounded), then answer 503 and close
            # Idle from the first moment, not only after a first response.
            self.timeout_keep_alive_task = self.loop.call_later(limits.keep_alive_timeout_seconds, self.timeout_keep_alive_handler)

        def data_received(self, data: bytes) -> None:
            if self._read_deadline is None:
                self._read_deadline = self.loop.call_later(limits.request_read_timeout_seconds, self._read_timed_out)
            if self._head_bytes is None:
                super().data_received(data)
                return
            # Feed no more of the head than the limit allows; what follows a completed head goes on.
            room = limits.max_header_bytes - self._head_bytes
            piece, rest = data[:room], data[room:]
            self._head_bytes += len(piece)
            self._began = False
            super().data_received(piece)
            if self.transport.is_closing():
                return
            if self._began and self._head_bytes is not None:
                # A pipelined head began inside the piece and is still incomplete: only its part is
                # counted, as the parser reported it (what it holds beyond that is less than the piece).
                self._head_bytes = self._reported
            if not rest:
                return
            if self._head_bytes is not None and self._head_bytes >= limits.max_header_bytes:
                self._refuse_large_head()
                return
            self.data_received(rest)

        def _refuse_large_head(self) -> None:
            refused("headers_too_large")
            message = f"request head exceeds {limits.max_header_bytes} bytes"
            self.transport.write(_raw_response(431, b"Request Header Fields Too Large", message, "headers_too_large"))
            self.transport.close()

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._header_fields = 0
            self._began, self._reported = True, 0
            if self._read_deadline is None:  # a pipelined request that began in the same read
                self._read_deadline = self.loop.call_later(limits.request_read_timeout_seconds, self._read_timed_out)

        def on_url(self, url: bytes) -> None:
            self._reported += len(url)
            super().on_url(url)

        def on_header(self, name: bytes, value: bytes) -> None:
            self._reported += len(name) + len(value) + 4
            self._header_fields += 1
            if self._header_fields <= limits.max_headers:
                super().on_header(name, value)

        def on_headers_complete(self) -> None:
            self._head_bytes = None
            if self._header_fields > limits.max_headers:
                self.scope["extensions"] = {HEADER_FIELDS_EXTENSION: {"count": self._header_fields}}
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            super().on_message_complete()
            self._head_bytes = 0  # the next bytes are the next request's head
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
            if self._head_bytes is not None and (self.cycle is None or self.cycle.response_complete):
                # The head never completed and no response is under way: nothing of ours is on the wire.
                message = f"the request was not received within {limits.request_read_timeout_seconds:g} seconds"
                self.transport.write(_raw_response(408, b"Request Timeout", message, "request_timeout"))
            # A body that stalls: closing ends the handler's read with a disconnect.
            self.transport.close()

        def send_400_response(self, msg: str) -> None:
            refused("invalid_http")
            self.transport.write(_raw_response(400, b"Bad Request", "the request is not valid HTTP/1.1", "invalid_http"))
            self.transport.close()

    return LimitedHttpToolsProtocol
