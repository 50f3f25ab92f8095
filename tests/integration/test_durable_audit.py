"""Durable audit, end to end: keys from a real OpenBao, the gateway process under load with its
collector down, killed with SIGKILL (as the OOM killer would), restarted on the same spool; every
answered request's record reaches the OTLP receiver (over http/protobuf), with a stable record id."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import httpx
import pytest
import yaml

from privllm.serving.telemetry.receiver import OtlpReceiver
from tests.servers import OpenBaoServer, free_port, wait_for_port
from tests.serving.gateway.conftest import MODEL

pytestmark = pytest.mark.integration


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def load(url: str, key: str, answered: list, stop: threading.Event) -> None:
    with httpx.Client(timeout=10) as client:
        while not stop.is_set():
            request_id = uuid.uuid4().hex
            try:
                r = client.post(f"{url}/v1/chat/completions", headers={"Authorization": f"Bearer {key}", "X-Request-Id": request_id},
                                json={"model": MODEL, "messages": [{"role": "user", "content": "hello"}]})
            except httpx.HTTPError:
                continue  # the gateway was killed under us: this request was never answered
            if r.status_code == 200 and r.json()["choices"]:
                answered.append(request_id)


def test_sigkill_under_load_then_restart_loses_no_answered_record(standin, tmp_path):
    bao = OpenBaoServer()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}, "VAULT_ADDR": bao.url, "VAULT_TOKEN": bao.token}
    cli = lambda *a: subprocess.run([sys.executable, "-m", "privllm.cli", *a], capture_output=True, text=True, env=env, timeout=120)  # noqa: E731
    grpc_port, http_port, port = free_port(), free_port(), free_port()
    env |= {"OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf", "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{http_port}", "OTEL_EXPORTER_OTLP_TIMEOUT": "2000"}
    gateway = receiver = None
    try:
        assert cli("vault", "bootstrap", "--stack", "local", "--no-kubernetes", "--audit-file", str(tmp_path / "vault-audit.log")).returncode == 0
        created = cli("keys", "create", "--principal", "auditor", "--models", MODEL, "--stack", "local")
        assert created.returncode == 0, created.stderr
        key = created.stdout.split("api-key: ")[1].strip()
        config = tmp_path / "gateway.yaml"
        # A restricted model: durable audit is the default (audit.mode auto).
        config.write_text(yaml.safe_dump({
            "upstreams": [{"name": MODEL, "url": standin.url, "data_classification": "restricted"}],
            "key_store": {"kind": "vault", "address": bao.url, "kv_mount": "privllm", "token_env": "VAULT_TOKEN"},
            "rate_limits": {"requests_per_minute": 100_000, "tokens_per_minute": 100_000_000},
            "guardrails": {"review_store": str(tmp_path / "reviews.sqlite")},
            "audit": {"spool_dir": str(tmp_path / "spool")},
        }))
        start = lambda: subprocess.Popen(  # noqa: E731
            [sys.executable, "-m", "privllm.cli", "gateway", "--config", str(config), "--host", "127.0.0.1", "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        gateway = start()
        wait_for_port(port, timeout=30)
        answered: list[str] = []
        stop = threading.Event()
        clients = [threading.Thread(target=load, args=(f"http://127.0.0.1:{port}", key, answered, stop)) for _ in range(4)]
        for t in clients:
            t.start()
        assert wait_for(lambda: len(answered) >= 150, timeout=120), f"only {len(answered)} answers"
        os.killpg(gateway.pid, signal.SIGKILL)  # the gateway and its export process, mid-load
        gateway.wait(10)
        stop.set()
        for t in clients:
            t.join(20)
        killed_with = len(answered)

        receiver = OtlpReceiver(grpc_port, http_port).start()  # the collector comes back
        gateway = start()
        wait_for_port(port, timeout=30)

        def delivered() -> set[str]:
            return {r["attributes"].get("privllm.request_id") for r in list(receiver.records)}

        assert wait_for(lambda: set(answered) <= delivered(), timeout=90), f"{len(set(answered) - delivered())} of {killed_with} answered records lost"
        by_request: dict[str, set[str]] = {}
        for r in list(receiver.records):
            by_request.setdefault(r["attributes"]["privllm.request_id"], set()).add(r["attributes"]["privllm.record_id"])
        assert all(len(ids) == 1 for ids in by_request.values()), "a re-delivered record must keep its record id"
        assert all(receiver_status == 200 for receiver_status in
                   (r["attributes"]["http.response.status_code"] for r in receiver.records if r["attributes"]["privllm.request_id"] in set(answered)))
    finally:
        if gateway is not None and gateway.poll() is None:
            os.killpg(gateway.pid, signal.SIGTERM)
            try:
                gateway.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(gateway.pid, signal.SIGKILL)
        if receiver is not None:
            receiver.stop()
        bao.stop()
