"""Audit records through OpenTelemetry to a real OTLP receiver: one per request, nothing leaked,
nothing lost within the queue bound, drops counted beyond it."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from privllm.serving.gateway.audit import AuditLog, AuditRecord
from privllm.serving.telemetry.otlp_config import OtlpSettings, settings
from privllm.serving.telemetry.receiver import OtlpReceiver
from tests.servers import free_port
from tests.serving.gateway.conftest import MODEL

pytestmark = pytest.mark.integration


def wait_for(predicate, timeout=20.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


@pytest.fixture
def receiver():
    r = OtlpReceiver(free_port(), free_port()).start()
    yield r
    r.stop()


@pytest.mark.parametrize("protocol", ["grpc", "http/protobuf"])
def test_gateway_records_reach_the_receiver(make_gateway, receiver, monkeypatch, protocol):
    port = receiver.port if protocol == "grpc" else receiver.http_port
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", protocol)
    gw = make_gateway({"prompt_logging": "hash"})
    key = gw.key()
    secret_prompt = "the merger with Contoso closes on Friday"
    assert gw.chat(key, secret_prompt).status_code == 200
    assert gw.chat(key, "x", model="forbidden").status_code == 404  # forbidden and unknown models look alike
    assert gw.post("/v1/chat/completions", json={}).status_code == 401
    assert wait_for(lambda: len(receiver.records) >= 3)
    assert gw.state.audit.processor.flush(10)
    assert len(receiver.records) == 3, "exactly one record per request"
    attrs = [r["attributes"] for r in receiver.records]
    assert [a["http.response.status_code"] for a in attrs] == [200, 404, 401]
    assert attrs[0]["gen_ai.request.model"] == MODEL and attrs[0]["privllm.principal"] == "team-a"
    assert attrs[0]["privllm.prompt"].startswith("sha256:")
    assert len({a["privllm.record_id"] for a in attrs}) == 3
    assert all(secret_prompt not in str(r) for r in receiver.records)
    assert receiver.records[0]["resource"]["service.name"] == "llm-gateway"


def grpc_to(port: int) -> OtlpSettings:
    return settings({"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{port}", "OTEL_EXPORTER_OTLP_TIMEOUT": "1000"})


def test_outage_then_recovery_loses_nothing(tmp_path):
    port = free_port()
    audit = AuditLog("never", otlp=grpc_to(port), spool_dir=tmp_path / "spool")
    for i in range(30):
        audit.emit(AuditRecord(request_id=f"r{i}", route="/v1/chat/completions", method="POST", status=200))
    # The receiver is down: exports fail and are retried; the records wait in the spool.
    assert wait_for(lambda: audit.processor.failures >= 1, timeout=15)
    assert audit.processor.exported == 0 and audit.queued == 30
    receiver = OtlpReceiver(port).start()
    try:
        assert wait_for(lambda: len(receiver.records) == 30, timeout=30), len(receiver.records)
        assert audit.dropped == 0
        assert sorted(r["attributes"]["privllm.request_id"] for r in receiver.records) == sorted(f"r{i}" for i in range(30))
        assert wait_for(lambda: audit.queued == 0, timeout=5)
    finally:
        audit.close()
        receiver.stop()


def test_beyond_the_spool_bound_drops_are_counted(tmp_path):
    port = free_port()
    audit = AuditLog("never", otlp=grpc_to(port), spool_dir=tmp_path / "spool", max_spool_bytes=1024 * 1024)
    padding = "x" * 200_000
    for i in range(8):
        audit.emit(AuditRecord(request_id=f"r{i}-{padding}", route="/v1/models", method="GET", status=200))
    assert wait_for(lambda: audit.dropped == 3, timeout=15), audit.dropped
    receiver = OtlpReceiver(port).start()
    try:
        assert wait_for(lambda: len(receiver.records) == 5, timeout=30)
    finally:
        audit.close()
        receiver.stop()


def test_sigterm_flushes_pending_records(receiver, standin, tmp_path):
    """The dev gateway, stopped with SIGTERM, still delivers what it has queued."""
    import os
    import signal

    import httpx

    port = free_port()
    env = {**os.environ, "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{receiver.http_port}"}  # the default protocol, http/protobuf
    proc = subprocess.Popen([sys.executable, "-m", "privllm.cli", "gateway", "--dev", "--upstream", standin.url, "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        key = proc.stdout.readline().split("api-key: ")[1].strip()
        assert wait_for(lambda: _up(port), timeout=20)
        for _ in range(5):
            httpx.post(f"http://127.0.0.1:{port}/v1/chat/completions", headers={"Authorization": f"Bearer {key}"},
                       json={"model": MODEL, "messages": [{"role": "user", "content": "hi"}]}, timeout=10)
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert wait_for(lambda: len(receiver.records) >= 5, timeout=10)
    assert len([r for r in receiver.records if r["attributes"].get("http.route") == "/v1/chat/completions"]) == 5


def _up(port) -> bool:
    import socket

    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_telemetry_check_sends_a_test_record_over_http_and_grpc(receiver):
    for endpoint in (f"http://127.0.0.1:{receiver.http_port}", f"127.0.0.1:{receiver.port}"):
        r = subprocess.run([sys.executable, "-m", "privllm.cli", "telemetry", "check", "--stack", "local", "--send", endpoint], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        assert "delivered" in r.stdout
    assert [r["attributes"]["privllm.principal"] for r in receiver.records] == ["privllm-telemetry-check"] * 2
    dead = subprocess.run([sys.executable, "-m", "privllm.cli", "telemetry", "check", "--stack", "local", "--send", f"http://127.0.0.1:{free_port()}"], capture_output=True, text=True, timeout=60)
    assert dead.returncode == 1 and "could not deliver" in dead.stderr and "Traceback" not in dead.stderr
