"""Starting the gateway: production (a config file) or dev mode (one upstream, a generated key)."""

from __future__ import annotations

import json
import tempfile
import urllib.request
from pathlib import Path

import uvicorn

from privllm.serving.gateway.app import GatewayState, create_app
from privllm.serving.gateway.audit import AuditLog
from privllm.serving.gateway.config import GatewayConfig, RateLimits, Upstream, load_config
from privllm.serving.gateway.connection import protocol_class
from privllm.serving.gateway.guards.review import RedisReviewStore, SqliteReviewStore
from privllm.serving.gateway.keys import MemoryKeyStore
from privllm.stack.gateway_config import MAX_TOKENS_PER_MINUTE


def review_store(config: GatewayConfig):
    rl = config.rate_limits
    if rl.redis_url:
        password = Path(rl.redis_password_file).read_text().strip() if rl.redis_password_file else None
        return RedisReviewStore(rl.redis_url, password)
    path = Path(config.guardrails.review_store or Path(tempfile.gettempdir()) / "privllm-reviews.sqlite")
    return SqliteReviewStore(path)


def key_store_for(config: GatewayConfig):
    if config.key_store.kind == "vault":
        from privllm.serving.gateway.vault_keys import VaultKeyStore

        return VaultKeyStore.from_config(config.key_store)
    return MemoryKeyStore()


def upstream_models(url: str, timeout: float = 10) -> list[str]:
    with urllib.request.urlopen(f"{url.rstrip('/')}/v1/models", timeout=timeout) as r:  # noqa: S310 - the operator's own upstream
        return [m["id"] for m in json.load(r).get("data", [])]


def dev_state(upstream: str, rpm: int, audit_jsonl: Path | None, models: list[str] | None = None, high_risk: tuple[str, ...] = ()) -> tuple[GatewayState, str]:
    # Validated before the upstream is asked, so a bad option is named as such.
    limits = RateLimits(requests_per_minute=rpm, tokens_per_minute=min(max(rpm * 2000, 60_000), MAX_TOKENS_PER_MINUTE))
    models = models or upstream_models(upstream)
    if not models:
        raise ValueError(f"{upstream}/v1/models lists no model")
    unknown = sorted(set(high_risk) - set(models))
    if unknown:
        raise ValueError(f"--high-risk names models the upstream does not serve: {', '.join(unknown)} (it serves {', '.join(models)})")
    config = GatewayConfig(
        upstreams=[Upstream(name=m, url=upstream, high_risk=m in high_risk) for m in models],
        rate_limits=limits,
    )
    store = MemoryKeyStore()
    key = store.issue("dev", models, roles=("reviewer", "admin"), groups=("dev",))
    state = GatewayState(config=config, key_store=store, audit=AuditLog.from_config(config, audit_jsonl), reviews=review_store(config))
    return state, key


def config_state(path: Path, audit_jsonl: Path | None = None) -> GatewayState:
    config = load_config(path)
    return GatewayState(
        config=config, key_store=key_store_for(config), audit=AuditLog.from_config(config, audit_jsonl),
        reviews=review_store(config), config_path=path, config_mtime=path.stat().st_mtime,
    )


def server_config(state: GatewayState, host: str, port: int, **overrides) -> uvicorn.Config:
    """uvicorn with the httptools parser and the gateway's connection limits (see
    serving.gateway.connection for how a request head stays bounded)."""
    limits = state.config.server
    options = {
        "host": host, "port": port, "log_level": "warning", "access_log": False, "loop": "uvloop",
        "http": protocol_class(limits, lambda reason: state.metrics.connections_refused.labels(reason).inc()),
        "timeout_keep_alive": limits.keep_alive_timeout_seconds, "timeout_graceful_shutdown": 20, **overrides,
    }
    return uvicorn.Config(create_app(state), **options)


def serve(state: GatewayState, host: str, port: int) -> None:
    # SIGTERM: uvicorn drains connections, then the app's lifespan flushes the audit spool.
    uvicorn.Server(server_config(state, host, port)).run()
