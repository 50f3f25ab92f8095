"""FaultInjectingUpstream: a test server that speaks just enough HTTP/1.1 to misbehave the way a
broken model server does. A plain TCP server (not an ASGI app) so it can send a body shorter
than its Content-Length, cut a chunked stream, or stall. The request's "model" picks the fault.
"""

from __future__ import annotations

import asyncio
import json
import threading

from tests.servers import free_port

CHAT_ANSWER = {"id": "x", "object": "chat.completion", "model": "ok", "choices": [{"index": 0, "message": {"role": "assistant", "content": "fine"}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 1, "completion_tokens": 1}}
STREAM_TEXT = ["The answer ", "is forty", "-two, ", "my phone ", "is 555-0100"]  # the tail is held by the stream redactor

FAULTS = ("ok", "truncated", "not-json", "text-500", "stream-ok", "stream-reset", "stream-stall", "stream-garbage", "stream-no-done")


def _event(data: dict | str) -> bytes:
    return b"data: " + (data if isinstance(data, str) else json.dumps(data)).encode() + b"\n\n"


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def _delta(text: str, finish: str | None = None) -> dict:
    return {"id": "x", "object": "chat.completion.chunk", "model": "m", "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": finish}]}


class FaultInjectingUpstream:
    def __init__(self) -> None:
        self.port = free_port()
        self._loop = asyncio.new_event_loop()
        self._release = None  # set in the loop: ends stalls when the server stops
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FaultInjectingUpstream:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def __exit__(self, *exc) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _start(self) -> None:
        self._release = asyncio.Event()
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def _stop(self) -> None:
        self._release.set()
        self._server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0)
            body = json.loads(await reader.readexactly(length)) if length else {}
            await self._fault(body.get("model", "ok"), writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def _fault(self, fault: str, w: asyncio.StreamWriter) -> None:
        if fault == "ok":
            body = json.dumps(CHAT_ANSWER).encode()
            w.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s" % (len(body), body))
        elif fault == "truncated":
            body = json.dumps(CHAT_ANSWER).encode()
            w.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s" % (len(body) + 100, body[:20]))
        elif fault == "not-json":
            w.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 9\r\n\r\nnot json!")
        elif fault == "text-500":
            w.write(b"HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/plain\r\ncontent-length: 4\r\n\r\nboom")
        else:
            w.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n")
            for piece in STREAM_TEXT[:2] if fault != "stream-ok" and fault != "stream-no-done" else STREAM_TEXT:
                w.write(_chunk(_event(_delta(piece))))
            await w.drain()
            if fault == "stream-ok":
                w.write(_chunk(_event(_delta("", "stop"))) + _chunk(_event("[DONE]")) + b"0\r\n\r\n")
            elif fault == "stream-no-done":
                w.write(b"0\r\n\r\n")  # a clean end of the body, but no finish_reason and no [DONE]
            elif fault == "stream-garbage":
                w.write(_chunk(b"data: \x00\x01{{garbage\n\n"))
                await w.drain()
                await self._release.wait()
            elif fault == "stream-stall":
                await self._release.wait()  # the gateway gives up after the upstream's timeout
            elif fault == "stream-reset":
                w.transport.abort()  # a reset in the middle of a chunked body
                return
        await w.drain()
