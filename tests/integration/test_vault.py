"""Vault bootstrap, policies, key lifecycle and the gateway's key store, against a real OpenBao."""

from __future__ import annotations

import os
import subprocess
import sys

import hvac
import hvac.exceptions
import pytest

from privllm.serving.gateway.vault_keys import Keyring, VaultKeyStore
from privllm.stack import load_stack
from privllm.vault import bootstrap
from tests.servers import ManualClock, OpenBaoServer

pytestmark = pytest.mark.integration


def _test_ca() -> str:
    """A throwaway self-signed CA standing for the cluster's (Vault only stores it here)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "privllm-test-cluster-ca")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


CA = _test_ca()


@pytest.fixture(scope="module")
def bao():
    server = OpenBaoServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def root(bao):
    client = hvac.Client(url=bao.url, token=bao.token)
    bootstrap(client, load_stack("reference"), audit_path="/dev/null", local_ca_jwt=False, kubernetes_ca_cert=CA)
    return client


def cli(bao, *args):
    env = {**os.environ, "VAULT_ADDR": bao.url, "VAULT_TOKEN": bao.token}
    return subprocess.run([sys.executable, "-m", "privllm.cli", *args], capture_output=True, text=True, env=env, timeout=120)


def test_bootstrap_is_idempotent(bao, root, tmp_path):
    (tmp_path / "ca.pem").write_text(CA)
    r = cli(bao, "vault", "bootstrap", "--audit-file", "/dev/null", "--vault-outside-cluster", "--kubernetes-ca-file", str(tmp_path / "ca.pem"))
    assert r.returncode == 0, r.stderr
    assert "nothing to change" in r.stdout
    assert "changed" not in r.stdout.replace("nothing to change", "")


def _token(root, policy: str) -> hvac.Client:
    token = root.auth.token.create(policies=[policy], ttl="10m")["auth"]["client_token"]
    return hvac.Client(url=root.url, token=token)


def _can_read(client, path) -> bool:
    try:
        client.secrets.kv.v2.read_secret_version(path, mount_point="privllm", raise_on_deleted_version=True)
        return True
    except hvac.exceptions.Forbidden:
        return False
    except hvac.exceptions.InvalidPath:
        return True  # allowed to look, nothing there


@pytest.mark.parametrize(
    ("policy", "allowed", "denied"),
    [
        ("privllm-gateway", ["gateway/keyring", "gateway/redis"], ["vllm/api-key", "telemetry/collector-tls"]),
        ("privllm-vllm", ["vllm/api-key"], ["gateway/keyring", "gateway/redis", "telemetry/collector-tls"]),
        ("privllm-otel-collector", ["telemetry/collector-tls", "telemetry/siem-ca"], ["gateway/keyring", "vllm/api-key"]),
    ],
)
def test_each_workload_reads_only_its_own_paths(root, policy, allowed, denied):
    for path in allowed + denied:
        root.secrets.kv.v2.create_or_update_secret(path, {"value": "x"}, mount_point="privllm")
    client = _token(root, policy)
    for path in allowed:
        assert _can_read(client, path), f"{policy} should read {path}"
    for path in denied:
        assert not _can_read(client, path), f"{policy} must not read {path}"
    with pytest.raises(hvac.exceptions.Forbidden):
        client.secrets.kv.v2.create_or_update_secret(allowed[0], {"value": "tampered"}, mount_point="privllm")


def test_key_lifecycle_through_the_cli(bao, root):
    r = cli(bao, "keys", "create", "--principal", "team-x", "--models", "llama-3.3-70b-instruct", "--rpm", "30", "--expires", "30d")
    assert r.returncode == 0, r.stderr
    key = r.stdout.split("api-key: ")[1].strip()
    records, _ = Keyring(root).read()
    stored = [rec for rec in records.values() if rec.principal == "team-x"]
    assert len(stored) == 1 and stored[0].rpm == 30
    assert key not in str(records)  # only the hash is stored
    listing = cli(bao, "keys", "list")
    assert "team-x" in listing.stdout and key not in listing.stdout and "active" in listing.stdout
    rotated = cli(bao, "keys", "rotate", "--principal", "team-x", "--grace", "1h")
    new_key = rotated.stdout.split("api-key: ")[1].strip()
    records, _ = Keyring(root).read()
    team = [rec for rec in records.values() if rec.principal == "team-x"]
    assert len(team) == 2 and all(rec.usable() for rec in team)
    assert new_key != key
    assert cli(bao, "keys", "revoke", "--principal", "team-x").returncode == 0
    records, _ = Keyring(root).read()
    assert not any(rec.usable() for rec in records.values() if rec.principal == "team-x")
    missing = cli(bao, "keys", "revoke", "--principal", "nobody")
    assert missing.returncode == 1 and "no active key" in missing.stderr


def test_bad_expiry_is_a_usage_error(bao, root):
    r = cli(bao, "keys", "create", "--principal", "p", "--models", "m", "--expires", "forever")
    assert r.returncode == 2 and "--expires" in r.stderr


def test_gateway_sees_revocation_and_fails_closed_when_vault_is_gone(make_gateway, monkeypatch):
    from privllm.serving.gateway.keys import key_id_of
    from tests.serving.gateway.conftest import MODEL

    server = OpenBaoServer()
    try:
        root = hvac.Client(url=server.url, token=server.token)
        bootstrap(root, load_stack("local"), audit_path="/dev/null", local_ca_jwt=False, kubernetes_ca_cert=CA)
        ring = Keyring(root)
        key = ring.create("app", [MODEL])
        monkeypatch.setenv("PRIVLLM_TEST_VAULT_TOKEN", server.token)
        from privllm.serving.gateway.config import KeyStoreConfig

        # The refresh loop's period is long and the clock is the test's: each refresh below is one TTL tick.
        clock = ManualClock()
        config = KeyStoreConfig(kind="vault", address=server.url, token_env="PRIVLLM_TEST_VAULT_TOKEN", cache_ttl_seconds=3600, max_stale_seconds=300)
        store = VaultKeyStore.from_config(config, clock=clock)
        gw = make_gateway(store=store)
        assert store.refresh()
        assert gw.chat(key, "hello").status_code == 200
        ring.revoke("app")
        assert store.refresh()
        r = gw.chat(key, "hello")
        assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_api_key"
        second = ring.create("app2", [MODEL])
        assert store.refresh()
        assert gw.chat(second, "hello").status_code == 200
        assert store.get(key_id_of(second)) is not None
        server.stop()
        # Within the stale window the last good copy still serves...
        assert not store.refresh()
        clock.advance(config.max_stale_seconds - 1)
        assert gw.chat(second, "hello").status_code == 200
        clock.advance(2)
        # ...then the gateway fails closed, and says so.
        r = gw.chat(second, "hello")
        assert r.status_code == 503 and r.json()["error"]["code"] == "key_store_unavailable"
        assert gw.client.get("/readyz").status_code == 503
        assert "privllm_gateway_keystore_stale_seconds" in gw.client.get("/metrics").text
        assert gw.audit()[-1]["privllm.reason"] == "key_store_unavailable"
    finally:
        server.stop()
