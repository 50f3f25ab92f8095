from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from privllm.serving.gateway.app import GatewayState, create_app
from privllm.serving.gateway.audit import AuditLog
from privllm.serving.gateway.config import GatewayConfig
from privllm.serving.gateway.guards.review import SqliteReviewStore
from privllm.serving.gateway.keys import MemoryKeyStore
from privllm.serving.vllm.standin import create_standin
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


class UnitGateway:
    """The gateway app in-process (Starlette TestClient) in front of a scripted upstream."""

    def __init__(self, state: GatewayState, upstreams, audit_path: Path, store: MemoryKeyStore):
        from starlette.testclient import TestClient

        self.state, self.upstreams, self.audit_path, self.store = state, upstreams, audit_path, store
        # Entered, so the app's lifespan runs and closes what it opened (HTTP sessions, audit).
        self.client = TestClient(create_app(state), base_url="http://gateway.test").__enter__()
        self.api_key = store.issue("team-a", [u.name for u in state.config.upstreams], groups=("finance",))

    def post(self, path: str, body: dict, key: str | None = None):
        return self.client.post(path, json=body, headers={"Authorization": f"Bearer {key or self.api_key}"})

    def sent(self) -> dict:
        """The body the model received last."""
        return self.upstreams.sent[-1][1]

    def audit(self) -> list[dict]:
        return [json.loads(line) for line in self.audit_path.read_text().splitlines() if line]


@pytest.fixture
def unit_gateway(tmp_path):
    """Factory: a gateway for a config dict (upstream url is a placeholder) and a Script."""
    from tests.serving.gateway.fake_upstream import Script, ScriptedUpstreams

    def make(config: dict | None = None, script: Script | None = None, **upstream) -> UnitGateway:
        raw = {"upstreams": [{"name": MODEL, "url": "http://upstream.invalid", **upstream}], **(config or {})}
        cfg = GatewayConfig.model_validate(raw)
        store = MemoryKeyStore()
        audit_path = tmp_path / "audit.jsonl"
        upstreams = ScriptedUpstreams(cfg, script or Script())
        state = GatewayState(
            config=cfg, key_store=store, audit=AuditLog(cfg.prompt_logging, audit_path),
            reviews=SqliteReviewStore(tmp_path / "reviews.sqlite"), upstreams=upstreams,
        )
        gw = UnitGateway(state, upstreams, audit_path, store)
        made.append(gw)
        return gw

    made: list[UnitGateway] = []
    yield make
    for gw in made:
        gw.client.__exit__(None, None, None)
