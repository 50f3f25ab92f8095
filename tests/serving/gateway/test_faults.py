"""Every fault a model server, Redis or the gateway itself can produce: the client gets an
OpenAI-shaped JSON error (or, mid-stream, an SSE error event and [DONE]), and the audit record
says exactly what the client received."""

from __future__ import annotations

import json
import logging

import pytest

from serving.gateway.guards.sensitive import redact
from tests.servers import RedisServer
from tests.serving.gateway.faulty_upstream import FAULTS, STREAM_TEXT, FaultInjectingUpstream


@pytest.fixture(scope="module")
def faulty():
    with FaultInjectingUpstream() as server:
        yield server


@pytest.fixture
def gateway(make_gateway, faulty):
    upstreams = [{"name": f, "url": faulty.url, "timeout_seconds": 1} for f in FAULTS]
    gw = make_gateway({"upstreams": upstreams})
    return gw, gw.key(models=FAULTS)


def assert_openai_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code and error["message"] and error["type"]
    return error


def last_record(gw) -> dict:
    return gw.audit()[-1]


@pytest.mark.parametrize(("fault", "status", "code"), [
    ("truncated", 502, "upstream_bad_response"),
    ("not-json", 502, "upstream_bad_response"),
    ("text-500", 502, "upstream_bad_response"),
])
def test_a_broken_answer_is_a_json_502_and_audited_as_sent(gateway, fault, status, code):
    gw, key = gateway
    assert_openai_error(gw.chat(key, "hello", model=fault), status, code)
    record = last_record(gw)
    assert record["http.response.status_code"] == status
    assert record["privllm.decision"] == "error" and record["privllm.reason"] == code


def test_a_good_answer_is_still_200(gateway):
    gw, key = gateway
    assert gw.chat(key, "hello", model="ok").json()["choices"][0]["message"]["content"] == "fine"
    assert last_record(gw)["http.response.status_code"] == 200 and last_record(gw)["privllm.decision"] == "allowed"


def events_of(response) -> list:
    out = []
    for block in response.text.split("\n\n"):
        if block.startswith("data: "):
            data = block[len("data: "):]
            out.append(data if data == "[DONE]" else json.loads(data))
    return out


def streamed_text(events) -> str:
    return "".join(c["delta"].get("content") or "" for e in events if isinstance(e, dict) and "choices" in e for c in e["choices"])


@pytest.mark.parametrize(("fault", "code", "sent"), [
    ("stream-reset", "upstream_reset", STREAM_TEXT[:2]),
    ("stream-stall", "upstream_timeout", STREAM_TEXT[:2]),
    ("stream-garbage", "upstream_bad_response", STREAM_TEXT[:2]),
    ("stream-no-done", "upstream_incomplete", STREAM_TEXT),
])
def test_a_failing_stream_ends_with_held_text_an_error_event_and_done(gateway, fault, code, sent):
    gw, key = gateway
    response = gw.chat(key, "hello", model=fault, stream=True)
    assert response.status_code == 200
    events = events_of(response)
    assert events[-1] == "[DONE]"
    assert events[-2]["error"]["code"] == code and events[-2]["error"]["message"]
    # Everything the model sent reaches the client, including what the redactor was holding back.
    assert streamed_text(events) == redact("".join(sent))[0]
    record = last_record(gw)
    assert record["http.response.status_code"] == 200
    assert record["privllm.decision"] == "error" and record["privllm.reason"] == code


def test_a_good_stream_ends_with_done_and_no_error(gateway):
    gw, key = gateway
    events = events_of(gw.chat(key, "hello", model="stream-ok", stream=True))
    assert events[-1] == "[DONE]" and not any(isinstance(e, dict) and "error" in e for e in events)
    assert streamed_text(events) == redact("".join(STREAM_TEXT))[0]
    assert last_record(gw)["privllm.decision"] == "allowed"


def test_json_nested_10000_deep_is_400(gateway):
    gw, key = gateway
    body = '{"model": "ok", "messages": ' + "[" * 10_000 + "]" * 10_000 + "}"
    response = gw.post("/v1/chat/completions", key, content=body, headers={"Content-Type": "application/json"})
    assert_openai_error(response, 400, "json_too_deep")
    assert last_record(gw)["http.response.status_code"] == 400


class ExplodingLimiter:
    """A test double: a limiter with a bug (raises an exception nothing expects)."""

    fails_closed = False

    async def check(self, *args):
        raise RuntimeError("a bug in a limiter")

    async def healthy(self) -> bool:
        return True

    async def close(self) -> None:
        return None


def test_an_unexpected_exception_is_a_json_500_with_an_incident_id_in_the_record_and_the_log(make_gateway, standin, caplog):
    gw = make_gateway(limiter=ExplodingLimiter())
    with caplog.at_level(logging.ERROR, logger="privllm.gateway"):
        response = gw.chat(gw.key(), "hello")
    error = assert_openai_error(response, 500, "internal_error")
    incident = error["incident_id"]
    assert incident and incident in error["message"]
    record = last_record(gw)
    assert record["http.response.status_code"] == 500 and record["privllm.decision"] == "error"
    assert record["privllm.incident_id"] == incident
    assert any(incident in r.getMessage() and r.exc_info for r in caplog.records)
    assert "a bug in a limiter" not in response.text  # internals stay in the log


def test_redis_outage_fails_closed_with_retry_after_and_readyz_says_so(make_gateway):
    redis = RedisServer()
    try:
        gw = make_gateway({"rate_limits": {"redis_url": redis.url}})
        key = gw.key()
        assert gw.chat(key, "hello").status_code == 200
        assert gw.client.get("/readyz").status_code == 200
    finally:
        redis.stop()
    response = gw.chat(key, "hello")
    assert_openai_error(response, 503, "rate_limit_store_unavailable")
    assert int(response.headers["retry-after"]) >= 1
    assert last_record(gw)["http.response.status_code"] == 503
    ready = gw.client.get("/readyz")
    assert ready.status_code == 503 and "rate-limit store" in ready.json()["status"]
    metrics = gw.client.get("/metrics").text
    assert "privllm_gateway_ratelimit_store_up 0.0" in metrics
    assert 'privllm_gateway_ratelimit_store_errors_total{policy="closed"} 1.0' in metrics


def test_redis_outage_with_local_policy_counts_per_replica(make_gateway):
    redis = RedisServer()
    gw = make_gateway({"rate_limits": {"redis_url": redis.url, "requests_per_minute": 2, "on_redis_outage": {"requests": "local", "tokens": "local"}}})
    redis.stop()
    key = gw.key()
    assert [gw.chat(key, "hello").status_code for _ in range(3)] == [200, 200, 429]
    ready = gw.client.get("/readyz")
    assert ready.status_code == 200 and "degraded" in ready.json()


@pytest.fixture
def durable_gateway(standin, tmp_path, monkeypatch):
    """A gateway in durable audit mode, exporting to a collector that is down (records stay spooled)."""
    from serving.gateway.app import create_app
    from serving.gateway.audit import AuditLog
    from serving.gateway.config import GatewayConfig
    from serving.gateway.guards.review import SqliteReviewStore
    from serving.gateway.keys import MemoryKeyStore
    from serving.gateway.state import GatewayState
    from tests.servers import ServerThread, free_port
    from tests.serving.gateway.conftest import MODEL

    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", f"http://127.0.0.1:{free_port()}")
    started = []

    def make(spool, max_bytes=1024 * 1024):
        config = GatewayConfig.model_validate({"upstreams": [{"name": MODEL, "url": standin.url}],
                                               "audit": {"mode": "durable", "spool_dir": str(spool), "max_spool_bytes": max_bytes, "drain_seconds": 0}})
        store = MemoryKeyStore()
        state = GatewayState(config=config, key_store=store, audit=AuditLog.from_config(config), reviews=SqliteReviewStore(tmp_path / "r.sqlite"))
        server = ServerThread(create_app(state)).__enter__()
        started.append(server)
        import httpx

        client = httpx.Client(base_url=server.url, timeout=30, headers={"Authorization": f"Bearer {store.issue('team-a', [MODEL])}"})
        return lambda request_id, **extra: client.post("/v1/chat/completions", headers={"X-Request-Id": request_id},
                                                        json={"model": MODEL, "messages": [{"role": "user", "content": "hello"}], **extra})

    yield make
    for server in started:
        server.__exit__(None, None, None)


def test_durable_mode_answers_only_once_the_record_is_on_disk(durable_gateway, tmp_path):
    from serving.gateway.audit_spool import SpoolReader

    call = durable_gateway(tmp_path / "spool")
    for i in range(5):
        assert call(f"req-{i}").status_code == 200
        # The answer is here, so its record is already committed to the spool.
        lines, _ = SpoolReader(tmp_path / "spool").read(100)
        assert sum(f'"privllm.request_id":"req-{i}"' in line.decode() for line in lines) == 1


def test_durable_mode_streams_whole_and_ends_only_once_the_record_is_on_disk(durable_gateway, tmp_path):
    from serving.gateway.audit_spool import SpoolReader

    call = durable_gateway(tmp_path / "spool")
    response = call("stream-1", stream=True)
    events = events_of(response)
    assert events[-1] == "[DONE]" and streamed_text(events)
    lines, _ = SpoolReader(tmp_path / "spool").read(100)
    [record] = [json.loads(line)["a"] for line in lines if b"stream-1" in line]
    assert record["http.response.status_code"] == 200 and record["privllm.decision"] == "allowed"


def test_durable_mode_refuses_when_the_record_cannot_be_written(durable_gateway, tmp_path):
    spool = tmp_path / "spool"
    spool.mkdir()
    # What an earlier process left and the collector never acknowledged fills the spool's bound.
    (spool / "seg-000000000001.jsonl").write_bytes(b'{"t":0,"a":{}}\n' * (1024 * 1024 // 15 + 1))
    response = durable_gateway(spool)("req-full")
    assert_openai_error(response, 503, "audit_unavailable")
    assert response.headers["retry-after"] == "5"
