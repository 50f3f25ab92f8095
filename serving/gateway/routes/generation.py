"""What chat and legacy completions share: input guards, limits, the model call, output
guards, human review, and the three ways an answer leaves (JSON, relayed stream, replayed
stream). The routes differ only in their schema, their input fields and how they prepare
the body (chat: documents and the fixed system prompt)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from serving.gateway.audit import AuditRecord, content
from serving.gateway.errors import GatewayError
from serving.gateway.fields import TextField, answer_outputs, as_list
from serving.gateway.guards import output_schema, review
from serving.gateway.pipeline import NOTES_FIELD
from serving.gateway.routes.common import Admitted, admit, call_json, enforce_rate_limits, log_prompt, upstream_error, usage_tokens
from serving.gateway.routes.streaming import relay, replay
from serving.gateway.schema import ApiRequest
from serving.gateway.state import GatewayState

REVIEW_HEADER = "x-privllm-review-id"
HELD_FINISH_REASON = "content_filter"  # a standard value: clients already handle "no answer released"

_REFUSAL = re.compile(r"^\s*(?:i'?m sorry|i am sorry|i can(?:no|')t|i cannot|i won'?t|as an ai\b|i'?m not able to|i am not able to)", re.IGNORECASE)


@dataclass(frozen=True)
class Generation:
    """One text-generation route."""

    path: str
    schema: type[ApiRequest]
    completion_object: str  # "chat.completion" or "text_completion"
    inputs: Callable[[dict], list[TextField]]
    # Guards the client's input fields and returns the body to forward (documents, system prompt).
    prepare: Callable[[GatewayState, Admitted], Awaitable[dict]]
    validates_schema: bool = False


def first_text(answer: dict) -> str | None:
    choices = as_list(answer.get("choices"))
    choice = choices[0] if choices else None
    if not isinstance(choice, dict):
        return None
    text = choice["message"].get("content") if isinstance(choice.get("message"), dict) else choice.get("text")
    return text if isinstance(text, str) else None


async def guard_inputs(state: GatewayState, admitted: Admitted, fields: list[TextField]) -> None:
    await state.pipeline.guard_inputs(admitted.ctx, admitted.body, fields)


def _cap_tokens(state: GatewayState, req: Any) -> None:
    cap = state.config.rate_limits.max_tokens_cap
    for field in ("max_tokens", "max_completion_tokens"):
        value = getattr(req, field)
        if value is not None and value > cap:
            raise GatewayError(400, f"{field} {value} exceeds the cap of {cap}", "max_tokens_too_large", param=field)


def held_answer(item: review.ReviewItem, completion_object: str, notes: dict | None) -> dict:
    """What the caller gets for an answer held for review: a completion (so SDK code reading
    choices[0] works) that says so, with the review in the documented privllm.review field."""
    notice = (
        f"This answer is held for human review ({item.id}). Fetch it with GET /v1/reviews/{item.id} "
        "once a reviewer has released it."
    )
    body: dict[str, Any] = {"message": {"role": "assistant", "content": notice}} if completion_object == "chat.completion" else {"text": notice}
    extension = {**(notes or {}), "review": {"id": item.id, "status": "pending", "expires_at": int(item.expires), "url": f"/v1/reviews/{item.id}"}}
    return {
        "id": item.id, "object": completion_object, "created": int(item.created), "model": item.model,
        "choices": [{"index": 0, **body, "logprobs": None, "finish_reason": HELD_FINISH_REASON}], NOTES_FIELD: extension,
    }


def _observe(state: GatewayState, admitted: Admitted, answer: dict, record: AuditRecord) -> None:
    model, principal = admitted.upstream.name, admitted.principal.name
    record.output_tokens = usage_tokens(answer, "completion_tokens")
    text = first_text(answer)
    if state.config.prompt_logging != "never":
        record.completion = content("\n".join(f.text for f in answer_outputs(answer)), state.config.prompt_logging)
    # Drift signals: completion length and refusals per model.
    if record.output_tokens is not None:
        state.metrics.output_tokens.labels(model).observe(record.output_tokens)
    if text and _REFUSAL.match(text):
        state.metrics.refusals.labels(model).inc()
    if record.output_tokens:
        state.metrics.tokens.labels(principal, model, "output").inc(record.output_tokens)
    state.metrics.tokens.labels(principal, model, "input").inc(usage_tokens(answer, "prompt_tokens") or record.input_tokens or 0)


async def _validated_answer(state: GatewayState, admitted: Admitted, kind: Generation, payload: bytes) -> tuple[dict, int]:
    answer, status = await call_json(state, admitted.route, kind.path, payload)
    schema = admitted.upstream.response_schema
    if status >= 400 or not (schema and kind.validates_schema):
        return answer, status
    record = admitted.ctx.record
    problem = output_schema.violation(first_text(answer), schema)
    if not problem:
        return answer, status
    record.guard(output_schema.GUARD_ID, "retry", problem)
    answer, status = await call_json(state, admitted.route, kind.path, payload)
    problem = output_schema.violation(first_text(answer), schema) if status < 400 else "the retry failed"
    if problem:
        record.guard(output_schema.GUARD_ID, "block", problem)
        raise GatewayError(502, f"the model's answer did not conform to the route's schema: {problem}", "output_schema_violation", guard=output_schema.GUARD_ID)
    record.guard(output_schema.GUARD_ID, "pass-after-retry")
    return answer, status


async def serve(kind: Generation, request: Request, state: GatewayState, record: AuditRecord) -> Response:
    admitted = await admit(request, state, record, kind.schema)
    config, upstream, ctx = state.config, admitted.upstream, admitted.ctx
    _cap_tokens(state, admitted.request)
    forward = await kind.prepare(state, admitted)
    log_prompt(state, record, kind.inputs(forward))
    await enforce_rate_limits(state, admitted, (record.input_tokens or 0) + admitted.request.requested_tokens(config.rate_limits.default_max_tokens))

    if forward.get("max_tokens") is None and forward.get("max_completion_tokens") is None:
        forward["max_tokens"] = config.rate_limits.default_max_tokens
    # The validated value, written back: "false" in the raw body must not read as a stream here.
    wants_stream = bool(getattr(admitted.request, "stream", False))
    forward["stream"] = wants_stream
    # Answers that are validated, reviewed or withheld whole are fetched whole, then streamed if asked.
    whole = upstream.high_risk or bool(upstream.response_schema) or config.guardrails.pii_output == "block"
    if wants_stream and not whole:
        return await relay(state, admitted, kind.path, json.dumps(forward).encode(), record, kind.completion_object)
    forward.pop("stream_options", None)
    forward["stream"] = False
    answer, status = await _validated_answer(state, admitted, kind, json.dumps(forward).encode())
    if status >= 400:
        return upstream_error(record, answer, status)
    state.pipeline.guard_answer(ctx, answer)
    _observe(state, admitted, answer, record)
    headers = ctx.notes_header()
    status = 200
    if upstream.high_risk:
        now = state.reviews.clock()
        item = review.ReviewItem(
            id=review.new_id(), principal=admitted.principal.name, model=upstream.name, created=now,
            expires=now + config.guardrails.human_review_timeout_seconds, status="pending", response=answer,
        )
        await asyncio.to_thread(state.reviews.put, item)
        record.review_id, record.decision = item.id, "held"
        record.guard(review.GUARD_ID, "hold")
        state.metrics.guard_blocks.labels(review.GUARD_ID).inc()
        answer, status = held_answer(item, kind.completion_object, ctx.notes_body()), 202
        headers[REVIEW_HEADER] = item.id
    elif ctx.notes:
        answer[NOTES_FIELD] = ctx.notes_body()
    record.status = status
    if wants_stream:
        return replay(state, record, answer, kind.completion_object, status, headers)
    return JSONResponse(answer, status_code=status, headers=headers)
