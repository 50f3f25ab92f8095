from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from serving.gateway.app import GatewayState, create_app
from serving.gateway.audit import AuditLog
from serving.gateway.config import GatewayConfig
from serving.gateway.guards.review import SqliteReviewStore
from serving.gateway.keys import MemoryKeyStore
from serving.vllm.standin import create_standin
from tests.servers import RedisServer, ServerThread

MODEL = "standin-model"


@pytest.fixture(scope="session")
def standin():
    """The vLLM stand-in (echo model), shared by the gateway tests."""
    with ServerThread(create_standin(MODEL)) as server:
        yield server


@pytest.fixture(scope="session")
def redis_server():
    server = RedisServer()
    yield server
    server.stop()


class Gateway:
    """A running gateway with its key store, audit file and config, for one test."""

    def __init__(self, state: GatewayState, server: ServerThread, audit_path: Path, store: MemoryKeyStore):
        self.state, self.server, self.audit_path, self.store = state, server, audit_path, store
        self.client = httpx.Client(base_url=server.url, timeout=30)

    def key(self, principal="team-a", models=(MODEL,), **kwargs) -> str:
        return self.store.issue(principal, list(models), **kwargs)

    def post(self, path, key=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return self.client.post(path, headers=headers, **kwargs)

    def chat(self, key, content, model=MODEL, **extra):
        return self.post("/v1/chat/completions", key, json={"model": model, "messages": [{"role": "user", "content": content}], **extra})

    def audit(self) -> list[dict]:
        return [json.loads(line) for line in self.audit_path.read_text().splitlines() if line]


@pytest.fixture
def make_gateway(tmp_path, standin):
    """Factory: start a gateway for a config dict; stopped after the test."""
    started = []

    def make(config: dict | None = None, config_path: Path | None = None, store: MemoryKeyStore | None = None, limiter=None, reviews_path: Path | None = None, clock=time.time):
        raw = {"upstreams": [{"name": MODEL, "url": standin.url}], **(config or {})}
        cfg = GatewayConfig.model_validate(raw)
        store = store or MemoryKeyStore()
        audit_path = tmp_path / f"audit-{len(started)}.jsonl"
        state = GatewayState(
            config=cfg, key_store=store, audit=AuditLog(cfg.prompt_logging, audit_path),
            reviews=SqliteReviewStore(reviews_path or tmp_path / "reviews.sqlite", clock=clock), config_path=config_path,
            config_mtime=config_path.stat().st_mtime if config_path else 0.0, limiter=limiter,
        )
        server = ServerThread(create_app(state)).__enter__()
        gw = Gateway(state, server, audit_path, store)
        started.append(gw)
        return gw

    yield make
    for gw in started:
        gw.client.close()
        gw.server.__exit__(None, None, None)
