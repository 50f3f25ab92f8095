"""POST /v1/completions: the legacy prompt (a string or a list) and suffix guarded."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from privllm.serving.gateway.audit import AuditRecord
from privllm.serving.gateway.fields import completion_inputs
from privllm.serving.gateway.routes.common import Admitted, audited
from privllm.serving.gateway.routes.generation import Generation, guard_inputs, serve
from privllm.serving.gateway.schema import CompletionRequest
from privllm.serving.gateway.state import GatewayState

PATH = "/v1/completions"


async def prepare(state: GatewayState, admitted: Admitted) -> dict:
    await guard_inputs(state, admitted, completion_inputs(admitted.body))
    return admitted.body


COMPLETIONS = Generation(PATH, CompletionRequest, "text_completion", completion_inputs, prepare)


@audited
async def completions(request: Request, state: GatewayState, record: AuditRecord) -> Response:
    return await serve(COMPLETIONS, request, state, record)
