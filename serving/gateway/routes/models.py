"""GET /v1/models and GET /v1/models/{model}: only what the key may use; any other name is
404, whether it exists or not."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from privllm.serving.gateway.audit import AuditRecord
from privllm.serving.gateway.auth import authenticate
from privllm.serving.gateway.config import Upstream
from privllm.serving.gateway.routes.common import audited, model_not_found, visible_model
from privllm.serving.gateway.state import GatewayState

OWNER = "privllm"


def model_object(upstream: Upstream) -> dict:
    return {"id": upstream.name, "object": "model", "owned_by": OWNER, "created": 0}


@audited
async def list_models(request: Request, state: GatewayState, record: AuditRecord) -> Response:
    principal = authenticate(request.headers, state.key_store, state.oidc)
    record.principal, record.key_id, record.status = principal.name, principal.key_id, 200
    data = [model_object(u) for u in state.config.upstreams if u.name in principal.models and u.state != "disabled"]
    return JSONResponse({"object": "list", "data": data})


@audited
async def retrieve_model(request: Request, state: GatewayState, record: AuditRecord) -> Response:
    principal = authenticate(request.headers, state.key_store, state.oidc)
    record.principal, record.key_id = principal.name, principal.key_id
    name = request.path_params["model"]
    record.model = name
    upstream = visible_model(state, principal, name)
    if upstream.state == "disabled":  # listed nowhere, so not found here either
        raise model_not_found(name)
    record.status = 200
    return JSONResponse(model_object(upstream))
