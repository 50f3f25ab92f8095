"""Server-sent events: relaying an upstream stream through the stream guards, and turning a
finished answer into a stream (for answers that are validated or reviewed before release)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.responses import JSONResponse, Response, StreamingResponse

from privllm.serving.gateway import upstream as upstream_client
from privllm.serving.gateway.audit import AuditRecord, content
from privllm.serving.gateway.errors import GatewayError
from privllm.serving.gateway.fields import ASSISTANT_TEXT_KEYS, as_list, chunk_outputs
from privllm.serving.gateway.pipeline import NOTES_FIELD, GuardContext
from privllm.serving.gateway.routes.common import Admitted, usage_tokens
from privllm.serving.gateway.state import GatewayState

DONE = b"data: [DONE]\n\n"
SSE_HEADERS = {"Cache-Control": "no-store"}


def request_started(record: AuditRecord) -> float:
    """The request's start on the perf_counter clock, for an audit record finished by a stream."""
    return time.perf_counter() - (time.time() - record.started)


def sse(data: dict) -> bytes:
    return b"data: " + json.dumps(data).encode() + b"\n\n"


def chunk_object(completion_object: str) -> str:
    return "chat.completion.chunk" if completion_object == "chat.completion" else completion_object


def notes_chunk(ctx: GuardContext, template: dict) -> list[bytes]:
    body = ctx.notes_body()
    return [sse({**template, "choices": [], NOTES_FIELD: body})] if body else []


async def relay(state: GatewayState, admitted: Admitted, path: str, payload: bytes, record: AuditRecord, completion_object: str) -> Response:
    route, ctx = admitted.route, admitted.ctx
    gauge = state.metrics.inflight.labels(route.upstream.name)
    gauge.inc()
    started = request_started(record)
    try:
        response = await state.models.post(route, path, payload)
    except GatewayError:
        gauge.dec()
        raise
    if response.status >= 400:
        gauge.dec()
        async with response:
            body = await upstream_client.read_json(route, response)
        record.status, record.decision, record.reason = response.status, "error", "upstream_error"
        return JSONResponse(body, status_code=response.status if response.status < 500 else 502)
    upstream_stream = upstream_client.UpstreamStream(response, route.upstream.name, route.upstream.timeout_seconds)

    template: dict[str, Any] = {"id": record.request_id, "object": chunk_object(completion_object), "created": int(time.time()), "model": admitted.upstream.name}
    chain = state.pipeline.open_stream(ctx, template)

    async def events() -> AsyncIterator[bytes]:
        released: list[str] = []
        record.status = 200

        def emit(chunks: list[dict]) -> list[bytes]:
            for chunk in chunks:
                released.extend(f.text for _, f in chunk_outputs(chunk))
            return [sse(c) for c in chunks]

        try:
            async for data in upstream_stream.events():
                for key in ("id", "created", "model", "system_fingerprint"):
                    if key in data:
                        template[key] = data[key]
                record.output_tokens = usage_tokens(data, "completion_tokens") or record.output_tokens
                for out in emit(chain.feed(data)):
                    yield out
            # However the upstream ended, what the guards hold is released (redacted); a reset, a
            # stall, garbage or an end before [DONE] then gets an error event; [DONE] always ends it.
            for out in emit(chain.end()) + notes_chunk(ctx, template):
                yield out
            if upstream_stream.failure:
                record.decision, record.reason = "error", upstream_stream.failure.code
                yield upstream_stream.failure.event()
            yield DONE
        except asyncio.CancelledError:
            record.status, record.decision, record.reason = 499, "error", "client_closed"
            raise
        finally:
            response.release()
            gauge.dec()
            record.completion = content("".join(released), state.config.prompt_logging)
            state.finish(record, started)

    return StreamingResponse(events(), media_type="text/event-stream", headers={**SSE_HEADERS, **ctx.notes_header()})


def answer_chunks(answer: dict, completion_object: str) -> list[dict]:
    """A finished answer as the chunks a streaming client expects: one delta per choice, then
    the finish reasons, then usage."""
    base = {k: answer[k] for k in ("id", "created", "model", "system_fingerprint") if k in answer}
    base["object"] = chunk_object(completion_object)
    chunks = []
    for position, choice in enumerate(as_list(answer.get("choices"))):
        if not isinstance(choice, dict):
            continue
        index = choice.get("index", position)
        if completion_object == "chat.completion":
            message = choice["message"] if isinstance(choice.get("message"), dict) else {}
            delta: dict[str, Any] = {"role": message.get("role", "assistant")}
            delta.update({k: message[k] for k in ASSISTANT_TEXT_KEYS if message.get(k) is not None})
            calls = [c for c in as_list(message.get("tool_calls")) if isinstance(c, dict)]
            if calls:
                delta["tool_calls"] = [{"index": j, **call} for j, call in enumerate(calls)]
            body: dict[str, Any] = {"delta": delta}
        else:
            body = {"text": choice.get("text") or ""}
        chunks.append({**base, "choices": [{"index": index, **body, "logprobs": choice.get("logprobs"), "finish_reason": None}]})
        end_body: dict[str, Any] = {"delta": {}} if completion_object == "chat.completion" else {"text": ""}
        chunks.append({**base, "choices": [{"index": index, **end_body, "finish_reason": choice.get("finish_reason") or "stop"}]})
    extra = {k: answer[k] for k in ("usage", NOTES_FIELD) if answer.get(k)}
    if extra:
        chunks.append({**base, "choices": [], **extra})
    return chunks


def replay(state: GatewayState, record: AuditRecord, answer: dict, completion_object: str, status: int, headers: dict[str, str]) -> StreamingResponse:
    """Stream an answer the gateway already holds; the audit record is written when it is sent."""
    started = request_started(record)

    async def events() -> AsyncIterator[bytes]:
        try:
            for chunk in answer_chunks(answer, completion_object):
                yield sse(chunk)
            yield DONE
        finally:
            state.finish(record, started)

    return StreamingResponse(events(), status_code=status, media_type="text/event-stream", headers={**SSE_HEADERS, **headers})
