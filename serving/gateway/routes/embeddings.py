"""POST /v1/embeddings: every input item guarded on its own. An item a guard refuses is left
out and named by its index (privllm.guardrails); the rest of the batch is embedded, unless
guardrails.embeddings_flagged_item is fail_batch or nothing is left."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from privllm.serving.gateway.audit import AuditRecord
from privllm.serving.gateway.errors import GatewayError
from privllm.serving.gateway.fields import TextField, prompt_inputs
from privllm.serving.gateway.pipeline import NOTES_FIELD
from privllm.serving.gateway.routes.common import admit, audited, call_json, enforce_rate_limits, log_prompt, upstream_error, usage_tokens
from privllm.serving.gateway.schema import EmbeddingRequest
from privllm.serving.gateway.state import GatewayState

PATH = "/v1/embeddings"


@audited
async def embeddings(request: Request, state: GatewayState, record: AuditRecord) -> Response:
    admitted = await admit(request, state, record, EmbeddingRequest)
    body, ctx = admitted.body, admitted.ctx
    state.pipeline.guard_body(ctx, body)
    fields = prompt_inputs(body, "input")
    refused: list[tuple[TextField, GatewayError]] = []
    for field in fields:
        try:
            await state.pipeline.guard_fields(ctx, body, [field])
        except GatewayError as exc:
            if exc.guard is None or isinstance(body["input"], str):
                raise
            refused.append((field, exc))
    if refused:
        named = "; ".join(f"{f.name}: {error.message}" for f, error in refused)
        first = refused[0][1]
        if state.config.guardrails.embeddings_flagged_item == "fail_batch" or len(refused) == len(body["input"]):
            raise GatewayError(first.status, f"embeddings batch refused: {named}", first.code, param=refused[0][0].name, guard=first.guard)
        for field, error in refused:
            ctx.note(error.guard or "", "skip-item", field=field.name, detail=error.code)
    skipped = {f.path[1] for f, _ in refused}
    # Positions in the forwarded batch -> positions in the client's batch.
    kept = [i for i in range(len(body["input"])) if i not in skipped] if isinstance(body["input"], list) else [0]
    if skipped:
        body["input"] = [body["input"][i] for i in kept]
    log_prompt(state, record, prompt_inputs(body, "input"))
    await enforce_rate_limits(state, admitted, record.input_tokens or 0)
    answer, status = await call_json(state, admitted.route, PATH, json.dumps(body).encode())
    if status >= 400:
        return upstream_error(record, answer, status)
    for item in answer.get("data") or []:
        if isinstance(item, dict) and isinstance(item.get("index"), int) and 0 <= item["index"] < len(kept):
            item["index"] = kept[item["index"]]
    if ctx.notes:
        answer[NOTES_FIELD] = ctx.notes_body()
    state.metrics.tokens.labels(admitted.principal.name, admitted.upstream.name, "input").inc(usage_tokens(answer, "prompt_tokens") or record.input_tokens or 0)
    record.status = 200
    return JSONResponse(answer, headers=ctx.notes_header())
