"""A stand-in for the upstream client (named so): answers scripted per test, no server.

It implements the part of serving.gateway.upstream.Upstreams the routes call (route,
post, circuit, close) and returns objects with the part of aiohttp's response they read.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from privllm.serving.gateway.config import GatewayConfig
from privllm.serving.gateway.upstream import Upstreams


class _Content:
    def __init__(self, pieces: list[bytes]):
        self._pieces = pieces

    async def iter_any(self) -> AsyncIterator[bytes]:
        for piece in self._pieces:
            yield piece


class FakeResponse:
    def __init__(self, status: int, body: bytes, pieces: list[bytes] | None = None):
        self.status, self._body = status, body
        self.content = _Content(pieces if pieces is not None else [body])
        self.released = False

    async def __aenter__(self) -> FakeResponse:
        return self

    async def __aexit__(self, *exc) -> None:
        self.release()

    async def json(self, content_type: str | None = None):
        return json.loads(self._body)

    async def read(self) -> bytes:
        return self._body

    def release(self) -> None:
        self.released = True


def sse_pieces(chunks: list[dict], ending: str = "done", split_every: int = 0) -> list[bytes]:
    """The SSE body of these chunks; ending: "done" ([DONE]), "eof" (neither [DONE] nor
    anything after the last chunk). split_every cuts the bytes into pieces of that size."""
    body = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks)
    if ending == "done":
        body += b"data: [DONE]\n\n"
    if not split_every:
        return [body]
    return [body[i : i + split_every] for i in range(0, len(body), split_every)]


@dataclass
class Script:
    answer: dict | None = None  # the plain answer
    chunks: list[dict] = field(default_factory=list)  # the streamed answer
    ending: str = "done"
    status: int = 200


class ScriptedUpstreams(Upstreams):
    """Upstreams whose model answers what the test scripted, recording what it was sent."""

    def __init__(self, config: GatewayConfig, script: Script):
        super().__init__(config)
        self.script = script
        self.sent: list[tuple[str, dict]] = []

    async def post(self, route, path: str, body: bytes):
        payload = json.loads(body)
        self.sent.append((path, payload))
        if self.script.status >= 400:
            return FakeResponse(self.script.status, json.dumps({"error": {"message": "scripted failure"}}).encode())
        if payload.get("stream"):
            chunks = self.script.chunks or echo_chunks(echo_answer(path, payload))
            return FakeResponse(200, b"", sse_pieces(chunks, self.script.ending, split_every=7))
        if self.script.answer is not None:
            return FakeResponse(200, json.dumps(self.script.answer).encode())
        return FakeResponse(200, json.dumps(echo_answer(path, payload)).encode())


def echo_answer(path: str, payload: dict) -> dict:
    """What the vLLM stand-in would answer: the last user message (or the inputs) echoed."""
    if path.endswith("/embeddings"):
        items = payload["input"] if isinstance(payload["input"], list) else [payload["input"]]
        return {"object": "list", "data": [{"object": "embedding", "index": i, "embedding": [float(len(t))]} for i, t in enumerate(items)], "model": payload["model"], "usage": {"prompt_tokens": 1, "total_tokens": 1}}
    if "messages" in payload:
        last = payload["messages"][-1].get("content")
        return {"id": "c1", "object": "chat.completion", "created": 1, "model": payload["model"], "choices": [{"index": 0, "message": {"role": "assistant", "content": f"Echo: {last}"}, "finish_reason": "stop"}]}
    return {"id": "c1", "object": "text_completion", "created": 1, "model": payload["model"], "choices": [{"index": 0, "text": f"Echo: {payload['prompt']}", "finish_reason": "stop"}]}


def echo_chunks(answer: dict, size: int = 4) -> list[dict]:
    """An echo answer streamed in pieces of a few characters, then its finish reason."""
    base = {k: answer[k] for k in ("id", "created", "model")}
    choice = answer["choices"][0]
    chat = "message" in choice
    text = choice["message"]["content"] if chat else choice["text"]
    base["object"] = "chat.completion.chunk" if chat else "text_completion"
    out = [{**base, "choices": [{"index": 0, **({"delta": {"content": text[i : i + size]}} if chat else {"text": text[i : i + size]}), "finish_reason": None}]} for i in range(0, len(text), size)]
    out.append({**base, "choices": [{"index": 0, **({"delta": {}} if chat else {"text": ""}), "finish_reason": "stop"}]})
    return out
