"""Property-based: whatever a client sends, the gateway answers 2xx or 4xx, never 5xx."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.serving.gateway.conftest import MODEL

pytestmark = pytest.mark.integration

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
message = st.fixed_dictionaries(
    {"role": st.sampled_from(["user", "system", "assistant", "tool", "hacker", ""]), "content": st.one_of(st.text(max_size=200), json_values)}
)
bodies = st.one_of(
    st.fixed_dictionaries(
        {"model": st.one_of(st.just(MODEL), st.text(max_size=20), json_values), "messages": st.one_of(st.lists(message, max_size=3), json_values)},
        optional={
            "max_tokens": st.one_of(st.integers(-10, 10**7), json_values),
            "temperature": st.one_of(st.floats(allow_nan=False), json_values),
            "stream": st.one_of(st.booleans(), json_values),
            "n": st.one_of(st.integers(-2, 20), json_values),
            "documents": st.one_of(st.lists(st.fixed_dictionaries({"id": st.text(max_size=8), "text": st.text(max_size=30)}, optional={"acl": st.lists(st.text(max_size=5))}), max_size=2), json_values),
        },
    ),
    json_values,
)


@pytest.fixture(scope="module")
def gateway(request, standin, tmp_path_factory):
    import httpx

    from privllm.serving.gateway.app import GatewayState, create_app
    from privllm.serving.gateway.audit import AuditLog
    from privllm.serving.gateway.config import GatewayConfig
    from privllm.serving.gateway.guards.review import SqliteReviewStore
    from privllm.serving.gateway.keys import MemoryKeyStore
    from tests.servers import ServerThread

    cfg = GatewayConfig.model_validate({"upstreams": [{"name": MODEL, "url": standin.url}], "rate_limits": {"requests_per_minute": 10**6, "tokens_per_minute": 10**8, "max_tokens_cap": 10**6}})
    store = MemoryKeyStore()
    key = store.issue("fuzz", [MODEL])
    state = GatewayState(config=cfg, key_store=store, audit=AuditLog("never"), reviews=SqliteReviewStore(tmp_path_factory.mktemp("r") / "r.sqlite"))
    with ServerThread(create_app(state)) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        yield client, key


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies, route=st.sampled_from(["/v1/chat/completions", "/v1/completions", "/v1/embeddings"]))
def test_never_a_server_error(gateway, body, route):
    client, key = gateway
    r = client.post(route, content=json.dumps(body), headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    assert r.status_code < 500, (r.status_code, r.text[:300])
    if r.status_code >= 400:
        assert set(r.json()["error"]) == {"message", "type", "param", "code"}


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=300))
def test_arbitrary_bytes_are_a_4xx(gateway, raw):
    client, key = gateway
    r = client.post("/v1/chat/completions", content=raw, headers={"Authorization": f"Bearer {key}"})
    assert 400 <= r.status_code < 500
