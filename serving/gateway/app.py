"""The gateway application: state on the app (never module globals), routes, lifecycle."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from pathlib import Path

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from serving.gateway.audit import AuditRecord
from serving.gateway.auth import authenticate
from serving.gateway.config import ConfigError
from serving.gateway.errors import GatewayError
from serving.gateway.exchange import ExchangeMiddleware
from serving.gateway.routes import api_routes
from serving.gateway.state import GatewayState

log = logging.getLogger("privllm.gateway")


async def _audit_unauthenticated(request: Request, status: int, reason: str) -> None:
    record = AuditRecord(request_id=request.headers.get("x-request-id") or "", route=request.url.path, method=request.method)
    record.status, record.decision, record.reason = status, "denied", reason
    request.app.state.gateway.finish(record, time.perf_counter())


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    state = request.app.state.gateway
    if not state.key_store.healthy():
        return JSONResponse({"status": "key store unavailable", "stale_seconds": state.key_store.stale_seconds()}, status_code=503)
    store_up = await state.rate_limiter.healthy()
    state.metrics.ratelimit_store_up.set(1 if store_up else 0)
    if not store_up and state.rate_limiter.fails_closed:
        return JSONResponse({"status": "rate-limit store unavailable", "policy": "fail closed"}, status_code=503, headers={"Retry-After": "5"})
    return JSONResponse({"status": "ready", **({} if store_up else {"degraded": "rate-limit store unavailable; limits counted per replica"})})


async def metrics(request: Request) -> Response:
    state = request.app.state.gateway
    state.metrics.audit_dropped.set(state.audit.dropped)
    state.metrics.audit_queued.set(state.audit.queued)
    state.metrics.ratelimit_store_up.set(1 if await state.rate_limiter.healthy() else 0)
    state.metrics.keystore_stale.set(state.key_store.stale_seconds())
    for path, not_after in certificate_expiries(state).items():
        state.metrics.cert_expiry.labels(path).set(not_after)
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)


def certificate_expiries(state: GatewayState) -> dict[str, float]:
    """notAfter of the CA bundles the gateway trusts (Vault, collector), read from their files."""
    from cryptography import x509

    paths = {p for p in (state.config.key_store.ca_file, os.environ.get("OTEL_EXPORTER_OTLP_CERTIFICATE")) if p}
    out = {}
    for path in sorted(paths):
        try:
            cert = x509.load_pem_x509_certificate(Path(path).read_bytes())
        except (OSError, ValueError):
            continue  # a missing or unreadable file shows as an absent series, which the alert covers
        out[path] = cert.not_valid_after_utc.timestamp()
    return out


async def reload_config(request: Request) -> Response:
    state = request.app.state.gateway
    principal = authenticate(request.headers, state.key_store, state.oidc)
    if "admin" not in principal.roles:
        raise GatewayError(403, "reloading the configuration needs the admin role", "forbidden")
    try:
        changed = state.reload()
    except ConfigError as exc:
        raise GatewayError(400, str(exc), "invalid_config") from None
    return JSONResponse({"reloaded": changed})


async def _gateway_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, GatewayError)  # registered for GatewayError only
    return exc.response()


async def _not_found(request: Request, exc) -> Response:
    status = getattr(exc, "status_code", 404)
    await _audit_unauthenticated(request, status, "no_such_route")
    return GatewayError(status, f"{request.method} {request.url.path} is not a route of this gateway", "not_found" if status == 404 else "method_not_allowed").response()


async def _watch_config(state: GatewayState) -> None:
    while True:
        await asyncio.sleep(2)
        try:
            if state.reload():
                log.info("gateway configuration reloaded")
        except (ConfigError, OSError) as exc:
            # Keep serving the last good configuration; the error is visible in the logs.
            log.error("configuration not reloaded: %s", exc)


def create_app(state: GatewayState) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app):
        watcher = asyncio.create_task(_watch_config(state)) if state.config_path else None
        await state.key_store.start()
        try:
            yield
        finally:
            if watcher:
                watcher.cancel()
            await state.key_store.stop()
            await state.upstreams.close()
            await state.limiter.close()
            state.audit.close()

    routes = api_routes() + [
        Route("/admin/reload", reload_config, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]
    app = Starlette(
        routes=routes, lifespan=lifespan, middleware=[Middleware(ExchangeMiddleware)],
        exception_handlers={GatewayError: _gateway_error, 404: _not_found, 405: _not_found},
    )
    app.state.gateway = state
    return app
