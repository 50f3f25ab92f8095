"""POST /v1/chat/completions: every message field guarded, retrieved documents checked one
by one (excluded ones reported), the route's fixed system prompt put first."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from privllm.serving.gateway.audit import AuditRecord
from privllm.serving.gateway.errors import GatewayError
from privllm.serving.gateway.fields import chat_inputs
from privllm.serving.gateway.guards import rag
from privllm.serving.gateway.routes.common import Admitted, audited
from privllm.serving.gateway.routes.generation import Generation, guard_inputs, serve
from privllm.serving.gateway.schema import ChatRequest
from privllm.serving.gateway.state import GatewayState

PATH = "/v1/chat/completions"


async def prepare(state: GatewayState, admitted: Admitted) -> dict:
    req, upstream, body = admitted.request, admitted.upstream, admitted.body
    assert isinstance(req, ChatRequest)
    if upstream.system_prompt and any(m.role in ("system", "developer") for m in req.messages):
        raise GatewayError(400, "this model's system prompt is fixed by the gateway; send user messages only", "system_prompt_fixed", param="messages")
    # The client's fields first: the gateway's own additions below are not the client's input.
    await guard_inputs(state, admitted, chat_inputs(body))
    documents = await state.pipeline.guard_documents(admitted.ctx, req.documents or [])
    messages = list(body["messages"])
    system = [upstream.system_prompt] if upstream.system_prompt else []
    if documents:
        system.append(rag.DATA_NOTICE)
        block = rag.render([doc.model_copy(update={"text": text}) for doc, text in documents])
        messages.insert(len(messages) - 1, {"role": "user", "content": block})
    if system:
        messages.insert(0, {"role": "system", "content": "\n\n".join(system)})
    forward = {k: v for k, v in body.items() if k != "documents"}
    forward["messages"] = messages
    return forward


CHAT = Generation(PATH, ChatRequest, "chat.completion", chat_inputs, prepare, validates_schema=True)


@audited
async def chat_completions(request: Request, state: GatewayState, record: AuditRecord) -> Response:
    return await serve(CHAT, request, state, record)
