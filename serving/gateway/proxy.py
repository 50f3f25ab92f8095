"""The model-call service: every /v1 request that reaches a model goes through here.

Order: body limit -> identity -> schema -> route and authorisation -> RAG access lists ->
prompt injection -> sensitive input -> fixed template -> rate limits -> model ->
response schema -> sensitive output -> human review. One audit record per request.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import time
import uuid
from collections.abc import AsyncIterator

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from serving.gateway.audit import AuditRecord, content
from serving.gateway.auth import Principal, authenticate
from serving.gateway.errors import GatewayError
from serving.gateway.guards import injection, output_schema, rag, review, sensitive
from serving.gateway import upstream as upstream_client
from serving.gateway.ratelimit import retry_after_header
from serving.gateway.schema import ChatRequest, CompletionRequest, EmbeddingRequest, parse

ROUTES = {
    "/v1/chat/completions": ChatRequest,
    "/v1/completions": CompletionRequest,
    "/v1/embeddings": EmbeddingRequest,
}


def estimate_tokens(text: str) -> int:
    # About four characters per token for English BPE vocabularies; the limit is a budget, not a bill.
    return math.ceil(len(text) / 4)


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


async def handle(request: Request) -> Response:
    state = request.app.state.gateway
    route_path = request.url.path
    record = AuditRecord(request_id=request.headers.get("x-request-id") or uuid.uuid4().hex, route=route_path, method=request.method)
    started = time.perf_counter()
    streaming = False
    try:
        response = await _serve(state, request, route_path, record)
        streaming = isinstance(response, StreamingResponse)
        return response
    except GatewayError as exc:
        record.status = exc.status
        record.reason = exc.code
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


async def _serve(state, request: Request, route_path: str, record: AuditRecord) -> Response:
    config = state.config
    body = await read_body(request, config.max_body_bytes)
    principal = authenticate(request.headers, state.key_store, state.oidc)
    record.principal, record.key_id = principal.name, principal.key_id
    ctype = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    # curl -d sends x-www-form-urlencoded by default; the body is parsed as JSON either way.
    if ctype not in ("application/json", "", "application/x-www-form-urlencoded", "text/plain"):
        raise GatewayError(415, f"Content-Type {ctype!r} is not supported; send application/json", "unsupported_media_type")
    req, raw = parse(ROUTES[route_path], body)
    record.model = req.model
    if req.model not in principal.models:
        raise GatewayError(403, f"your key may not use model {req.model!r}", "model_not_allowed", param="model")
    route = state.upstreams.route(req.model)
    upstream = route.upstream
    record.target, record.variant, record.rerouted_from = route.target, route.variant, route.rerouted_from
    record.data_classification = upstream.data_classification
    guards = config.guardrails
    if not isinstance(req, EmbeddingRequest):
        cap = config.rate_limits.max_tokens_cap
        for field in ("max_tokens", "max_completion_tokens"):
            value = getattr(req, field)
            if value is not None and value > cap:
                raise GatewayError(400, f"{field} {value} exceeds the cap of {cap}", "max_tokens_too_large", param=field)

    if isinstance(req, ChatRequest):
        raw = _prepare_chat(state, req, raw, principal, upstream, record)
    else:
        text = req.prompt_text()
        _check_injection(state, text, record, guards.prompt_injection)
        redacted = _input_pii(state, text, upstream.data_classification, record)
        if redacted is not None:
            key = "prompt" if isinstance(req, CompletionRequest) else "input"
            raw[key] = redacted
    prompt_text = _prompt_of(raw)
    record.input_tokens = estimate_tokens(prompt_text)
    record.prompt = content(prompt_text, config.prompt_logging)

    requested = record.input_tokens + req.requested_tokens(config.rate_limits.default_max_tokens)
    rpm = principal.rpm or config.rate_limits.requests_per_minute
    tpm = principal.tpm or config.rate_limits.tokens_per_minute
    decision = await state.limiter.check(principal.name, rpm, tpm, requested)
    if not decision.allowed:
        state.metrics.rate_limited.labels(decision.limit).inc()
        record.guard("PLLM-G-RATE-LIMIT", "block", decision.limit)
        raise GatewayError(429, f"rate limit reached ({decision.limit} per minute)", f"rate_limit_{decision.limit}", headers=retry_after_header(decision.retry_after))

    if not isinstance(req, EmbeddingRequest) and req.max_tokens is None and req.max_completion_tokens is None:
        raw["max_tokens"] = config.rate_limits.default_max_tokens
    wants_stream = bool(getattr(req, "stream", False))
    if wants_stream and (upstream.high_risk or upstream.response_schema):
        raise GatewayError(400, "streaming is not available on this model: its answers are validated or reviewed before release", "stream_not_allowed", param="stream")
    if wants_stream and guards.pii_output == "block":
        raise GatewayError(400, "streaming is not available while sensitive output is blocked", "stream_not_allowed", param="stream")
    payload = json.dumps(raw).encode()
    if wants_stream:
        return await _stream(state, route, route_path, payload, record)
    answer, status = await _call(state, route, route_path, payload, record)
    if status >= 400:
        record.status, record.decision, record.reason = status, "error", "upstream_error"
        return JSONResponse(answer, status_code=status if status < 500 else 502)

    if upstream.response_schema and route_path == "/v1/chat/completions":
        problem = output_schema.violation(_first_text(answer), upstream.response_schema)
        if problem:
            record.guard(output_schema.GUARD_ID, "retry", problem)
            answer, status = await _call(state, route, route_path, payload, record)
            problem = output_schema.violation(_first_text(answer), upstream.response_schema) if status < 400 else "the retry failed"
            if problem:
                record.guard(output_schema.GUARD_ID, "block", problem)
                raise GatewayError(502, f"the model's answer did not conform to the route's schema: {problem}", "output_schema_violation", guard=output_schema.GUARD_ID)
            record.guard(output_schema.GUARD_ID, "pass-after-retry")
    _output_pii(state, answer, record)
    usage = answer.get("usage") or {}
    record.output_tokens = usage.get("completion_tokens")
    _observe_output(state, req.model, _first_text(answer), record.output_tokens)
    record.completion = content(_first_text(answer), config.prompt_logging)
    if usage.get("completion_tokens"):
        state.metrics.tokens.labels(principal.name, req.model, "output").inc(usage["completion_tokens"])
    state.metrics.tokens.labels(principal.name, req.model, "input").inc(usage.get("prompt_tokens") or record.input_tokens)

    if upstream.high_risk:
        item = review.ReviewItem(
            id=review.new_id(), principal=principal.name, model=req.model, created=time.time(),
            expires=time.time() + guards.human_review_timeout_seconds, status="pending", response=answer,
        )
        await asyncio.to_thread(state.reviews.put, item)
        record.review_id, record.decision, record.status = item.id, "held", 202
        record.guard(review.GUARD_ID, "hold")
        state.metrics.guard_blocks.labels(review.GUARD_ID).inc()
        return JSONResponse(
            {"id": item.id, "object": "review", "status": "pending", "expires_at": int(item.expires),
             "detail": f"This model's answers are released after human review. Fetch GET /v1/reviews/{item.id}."},
            status_code=202,
        )
    record.status = 200
    return JSONResponse(answer)


def _prompt_of(raw: dict) -> str:
    if "messages" in raw:
        parts = []
        for m in raw["messages"]:
            c = m.get("content")
            parts.append(c if isinstance(c, str) else "\n".join(p.get("text") or "" for p in c or [] if isinstance(p, dict)))
        return "\n".join(parts)
    value = raw.get("prompt", raw.get("input", ""))
    return value if isinstance(value, str) else "\n".join(map(str, value))


def _check_injection(state, text: str, record: AuditRecord, action: str) -> None:
    verdict = injection.inspect(text)
    if not verdict.detected:
        return
    if action == "flag":
        record.guard(injection.GUARD_ID, "flag", verdict.detail)
        return
    record.guard(injection.GUARD_ID, "block", verdict.detail)
    raise GatewayError(400, f"request refused by the prompt-injection guard ({verdict.detail})", "prompt_injection", guard=injection.GUARD_ID)


def _input_pii(state, text: str, classification: str, record: AuditRecord) -> str | None:
    """Redacted text when the policy redacts and something was found; raises when it blocks."""
    action = state.config.guardrails.pii_input.get(classification, "block")
    if action == "allow":
        return None
    redacted, kinds = sensitive.redact(text)
    if not kinds:
        return None
    if action == "block":
        record.guard(sensitive.GUARD_INPUT, "block", ",".join(sorted(set(kinds))))
        raise GatewayError(400, f"the prompt contains sensitive data ({', '.join(sorted(set(kinds)))}) that this model may not receive", "sensitive_input", guard=sensitive.GUARD_INPUT)
    record.guard(sensitive.GUARD_INPUT, "redact", ",".join(sorted(set(kinds))))
    state.metrics.guard_redactions.labels(sensitive.GUARD_INPUT).inc(len(kinds))
    return redacted


def _prepare_chat(state, req: ChatRequest, raw: dict, principal: Principal, upstream, record: AuditRecord) -> dict:
    guards = state.config.guardrails
    documents = []
    if req.documents:
        documents, dropped = rag.filter_documents(req.documents, principal.groups)
        if dropped:
            record.documents_dropped = dropped
            record.guard(rag.GUARD_ID, "drop", f"{len(dropped)} not readable by the caller")
        clean = []
        for doc in documents:
            if injection.inspect(doc.text).detected:
                record.documents_dropped.append(doc.id)
                record.guard(injection.GUARD_ID, "drop-document", doc.id)
            else:
                clean.append(doc)
        documents = clean
    if upstream.system_prompt and any(m.role in ("system", "developer") for m in req.messages):
        raise GatewayError(400, "this model's system prompt is fixed by the gateway; send user messages only", "system_prompt_fixed", param="messages")
    user_text = "\n".join(m.text() for m in req.messages if m.role in ("user", "tool"))
    _check_injection(state, user_text, record, guards.prompt_injection)
    messages = []
    for m in raw["messages"]:
        text = m.get("content")
        if isinstance(text, str) and m.get("role") != "assistant":
            redacted = _input_pii(state, text, upstream.data_classification, record)
            if redacted is not None:
                m = {**m, "content": redacted}
        messages.append(m)
    system = [upstream.system_prompt] if upstream.system_prompt else []
    if documents:
        system.append(rag.DATA_NOTICE)
        block = rag.render(documents)
        redacted = _input_pii(state, block, upstream.data_classification, record)
        messages.insert(len(messages) - 1 if messages else 0, {"role": "user", "content": redacted if redacted is not None else block})
    if system:
        messages.insert(0, {"role": "system", "content": "\n\n".join(system)})
    out = {k: v for k, v in raw.items() if k != "documents"}
    out["messages"] = messages
    return out


async def _call(state, route, path: str, payload: bytes, record: AuditRecord) -> tuple[dict, int]:
    gauge = state.metrics.inflight.labels(route.upstream.name)
    gauge.inc()
    try:
        response = await state.upstreams.post(route, path, payload)
        async with response:
            return await upstream_client.read_json(route, response), response.status
    finally:
        gauge.dec()
        state.metrics.circuit_open.labels(route.upstream.name).set(1 if state.upstreams.circuit(route.target).open else 0)


_REFUSAL = re.compile(r"^\s*(?:i'?m sorry|i am sorry|i can(?:no|')t|i cannot|i won'?t|as an ai\b|i'?m not able to|i am not able to)", re.IGNORECASE)


def _observe_output(state, model: str, text: str | None, tokens: int | None) -> None:
    """Drift signals: completion length and refusals per model."""
    if tokens is not None:
        state.metrics.output_tokens.labels(model).observe(tokens)
    if text and _REFUSAL.match(text):
        state.metrics.refusals.labels(model).inc()


def _first_text(answer: dict) -> str | None:
    choices = answer.get("choices") or []
    if not choices:
        return None
    choice = choices[0]
    if "message" in choice:
        return (choice["message"] or {}).get("content")
    return choice.get("text")


def _output_pii(state, answer: dict, record: AuditRecord) -> None:
    kinds: list[str] = []
    for choice in answer.get("choices") or []:
        holder, key = (choice["message"], "content") if isinstance(choice.get("message"), dict) else (choice, "text")
        text = holder.get(key)
        if isinstance(text, str):
            holder[key], found = sensitive.redact(text)
            kinds += found
    if not kinds:
        return
    if state.config.guardrails.pii_output == "block":
        record.guard(sensitive.GUARD_OUTPUT, "block", ",".join(sorted(set(kinds))))
        raise GatewayError(502, "the model's answer contained sensitive data and was withheld", "sensitive_output", guard=sensitive.GUARD_OUTPUT)
    record.guard(sensitive.GUARD_OUTPUT, "redact", ",".join(sorted(set(kinds))))
    state.metrics.guard_redactions.labels(sensitive.GUARD_OUTPUT).inc(len(kinds))


async def _stream(state, route, path: str, payload: bytes, record: AuditRecord) -> Response:
    gauge = state.metrics.inflight.labels(route.upstream.name)
    gauge.inc()
    started = time.perf_counter()
    try:
        response = await state.upstreams.post(route, path, payload)
    except GatewayError:
        gauge.dec()
        raise
    if response.status >= 400:
        gauge.dec()
        async with response:
            body = await upstream_client.read_json(route, response)
        record.status, record.decision, record.reason = response.status, "error", "upstream_error"
        return JSONResponse(body, status_code=response.status if response.status < 500 else 502)
    stream = upstream_client.UpstreamStream(response, route.upstream.name, route.upstream.timeout_seconds)

    async def events() -> AsyncIterator[bytes]:
        redactors: dict[int, sensitive.StreamRedactor] = {}
        completion: list[str] = []
        record.status = 200
        try:
            async for data in stream.events():
                for choice in data.get("choices") or []:
                    holder, key = (choice["delta"], "content") if isinstance(choice.get("delta"), dict) else (choice, "text")
                    piece = holder.get(key)
                    redactor = redactors.setdefault(choice.get("index", 0), sensitive.StreamRedactor())
                    if isinstance(piece, str):
                        holder[key] = redactor.feed(piece)
                        completion.append(piece)
                    if choice.get("finish_reason"):
                        holder[key] = (holder.get(key) or "") + redactor.flush()
                if data.get("usage"):
                    record.output_tokens = data["usage"].get("completion_tokens")
                yield b"data: " + json.dumps(data).encode() + b"\n\n"
            for chunk in _flush(redactors):  # held text is never lost, whatever the upstream did
                yield chunk
            if stream.failure:
                record.decision, record.reason = "error", stream.failure.code
                yield stream.failure.event()
            yield upstream_client.DONE_EVENT
        except asyncio.CancelledError:
            record.status, record.decision, record.reason = 499, "error", "client_closed"
            raise
        finally:
            response.release()
            gauge.dec()
            kinds = [k for r in redactors.values() for k in r.kinds]
            if kinds:
                record.guard(sensitive.GUARD_OUTPUT, "redact", ",".join(sorted(set(kinds))))
                state.metrics.guard_redactions.labels(sensitive.GUARD_OUTPUT).inc(len(kinds))
            record.completion = content("".join(completion), state.config.prompt_logging)
            state.finish(record, started)

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})


def _flush(redactors: dict[int, sensitive.StreamRedactor]):
    for index, redactor in redactors.items():
        rest = redactor.flush()
        if rest:
            yield b"data: " + json.dumps({"object": "chat.completion.chunk", "choices": [{"index": index, "delta": {"content": rest}}]}).encode() + b"\n\n"
