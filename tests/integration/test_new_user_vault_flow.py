"""The new-user path of the Vault issue, through the CLI only: bootstrap, issue a key, run the
gateway from a config file backed by Vault, call it, revoke the key, see the gateway refuse it."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest
import yaml

from tests.servers import OpenBaoServer, free_port, wait_for_port
from tests.serving.gateway.conftest import MODEL

pytestmark = pytest.mark.integration


def test_bootstrap_key_call_revoke(tmp_path, standin):
    bao = OpenBaoServer()
    env = {**os.environ, "VAULT_ADDR": bao.url, "VAULT_TOKEN": bao.token}
    cli = lambda *a: subprocess.run([sys.executable, "-m", "privllm.cli", *a], capture_output=True, text=True, env=env, timeout=120)  # noqa: E731
    gateway = None
    try:
        boot = cli("vault", "bootstrap", "--stack", "local", "--no-kubernetes", "--audit-file", str(tmp_path / "vault-audit.log"))
        assert boot.returncode == 0, boot.stderr
        created = cli("keys", "create", "--principal", "newcomer", "--models", MODEL, "--stack", "local")
        assert created.returncode == 0, created.stderr
        key = created.stdout.split("api-key: ")[1].strip()
        port = free_port()
        config = tmp_path / "gateway.yaml"
        config.write_text(yaml.safe_dump({
            "listen_port": port,
            "upstreams": [{"name": MODEL, "url": standin.url}],
            "key_store": {"kind": "vault", "address": bao.url, "kv_mount": "privllm", "token_env": "VAULT_TOKEN", "cache_ttl_seconds": 1},
            "guardrails": {"review_store": str(tmp_path / "reviews.sqlite")},
        }))
        gateway = subprocess.Popen([sys.executable, "-m", "privllm.cli", "gateway", "--config", str(config), "--host", "127.0.0.1"],
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wait_for_port(port, timeout=30)
        url = f"http://127.0.0.1:{port}/v1/chat/completions"
        body = {"model": MODEL, "messages": [{"role": "user", "content": "hello"}]}
        assert httpx.post(url, json=body, headers={"Authorization": f"Bearer {key}"}, timeout=10).status_code == 200
        assert cli("keys", "revoke", "--principal", "newcomer", "--stack", "local").returncode == 0
        deadline = time.time() + 10
        status = 200
        while time.time() < deadline and status == 200:
            time.sleep(0.5)
            status = httpx.post(url, json=body, headers={"Authorization": f"Bearer {key}"}, timeout=10).status_code
        assert status == 401
    finally:
        if gateway is not None:
            gateway.terminate()
            gateway.wait(20)
        bao.stop()


def test_bad_gateway_config_is_one_clear_error(tmp_path):
    config = tmp_path / "gateway.yaml"
    config.write_text("upstreams: [{name: m, url: ftp://x}]\nmax_body_bytes: 5\n")
    r = subprocess.run([sys.executable, "-m", "privllm.cli", "gateway", "--config", str(config)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "upstreams.0.url" in r.stderr and "max_body_bytes" in r.stderr
