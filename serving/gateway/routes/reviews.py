"""Human review routes: reviewers list and decide; the caller fetches the released answer."""

from __future__ import annotations

import asyncio
import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from privllm.serving.gateway.audit import AuditRecord
from privllm.serving.gateway.auth import Principal, authenticate
from privllm.serving.gateway.errors import GatewayError
from privllm.serving.gateway.guards.review import GUARD_ID
from privllm.serving.gateway.state import GatewayState


def _reviewer(request: Request) -> tuple[GatewayState, Principal]:
    state: GatewayState = request.app.state.gateway
    principal = authenticate(request.headers, state.key_store, state.oidc)
    if state.config.reviewer_role not in principal.roles:
        raise GatewayError(403, f"this needs the {state.config.reviewer_role!r} role", "forbidden")
    return state, principal


async def pending(request: Request) -> Response:
    state, _ = _reviewer(request)
    now = state.reviews.clock()
    items = [i.summary(now) for i in await asyncio.to_thread(state.reviews.all) if i.effective_status(now) == "pending"]
    state.metrics.reviews_pending.set(len(items))
    return JSONResponse({"object": "list", "data": sorted(items, key=lambda i: i["created"])})


async def decide(request: Request) -> Response:
    state, principal = _reviewer(request)
    verdict = request.path_params["verdict"]
    if verdict not in ("approve", "reject"):
        raise GatewayError(404, "use /approve or /reject", "not_found")
    item = await asyncio.to_thread(state.reviews.get, request.path_params["review_id"])
    if item is None:
        raise GatewayError(404, "no such review", "review_not_found")
    status = item.effective_status(state.reviews.clock())
    if status != "pending":
        raise GatewayError(409 if status != "expired" else 410, f"review is already {status}", "review_closed")
    item.status = "approved" if verdict == "approve" else "rejected"
    item.reviewer = principal.name
    try:
        body = await request.json()
        item.reason = str(body.get("reason"))[:1000] if isinstance(body, dict) and body.get("reason") else None
    except ValueError:
        item.reason = None
    await asyncio.to_thread(state.reviews.put, item)
    record = AuditRecord(request_id=item.id, route="/admin/reviews", method="POST", principal=principal.name, model=item.model, status=200)
    record.review_id = item.id
    record.guard(GUARD_ID, item.status)
    state.finish(record, time.perf_counter())
    return JSONResponse(item.summary())


async def fetch(request: Request) -> Response:
    state: GatewayState = request.app.state.gateway
    principal = authenticate(request.headers, state.key_store, state.oidc)
    item = await asyncio.to_thread(state.reviews.get, request.path_params["review_id"])
    if item is None or item.principal != principal.name:
        raise GatewayError(404, "no such review for this key", "review_not_found")
    status = item.effective_status(state.reviews.clock())
    if status == "approved":
        return JSONResponse(item.response)
    if status == "pending":
        return JSONResponse(item.summary(state.reviews.clock()), status_code=202)
    if status == "expired":
        raise GatewayError(410, "the review window passed without a decision", "review_expired")
    raise GatewayError(403, f"a reviewer rejected this answer{': ' + item.reason if item.reason else ''}", "review_rejected")
