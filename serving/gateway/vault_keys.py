"""API-key hashes from Vault: the keyring document, and the gateway's cached view of it.

The gateway re-reads the keyring every cache_ttl_seconds, so a revocation reaches it within
that time. If Vault is unreachable it keeps serving from the last good copy for at most
max_stale_seconds, then fails closed (503); both show in /metrics and in audit records.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import hvac
import hvac.exceptions
import requests

from privllm.facts import KEYRING_PATH, VAULT_KV_MOUNT
from privllm.serving.gateway.config import KeyStoreConfig
from privllm.serving.gateway.errors import GatewayError
from privllm.serving.gateway.keys import KeyRecord, generate_key

log = logging.getLogger("privllm.gateway.keys")


class VaultError(Exception):
    """Vault refused or could not be reached; the message says which and what to do."""


class Keyring:
    """The keyring document in KV v2, updated with check-and-set so two admins never clobber each other."""

    def __init__(self, client: hvac.Client, mount: str = VAULT_KV_MOUNT):
        self.client, self.mount = client, mount

    def read(self) -> tuple[dict[str, KeyRecord], int]:
        try:
            secret = self.client.secrets.kv.v2.read_secret_version(KEYRING_PATH, mount_point=self.mount, raise_on_deleted_version=True)
        except hvac.exceptions.InvalidPath:
            return {}, 0
        data = secret["data"]["data"]
        records = {k: KeyRecord.from_dict(v) for k, v in json.loads(data.get("records", "{}")).items()}
        return records, secret["data"]["metadata"]["version"]

    def write(self, records: dict[str, KeyRecord], version: int) -> None:
        payload = {"records": json.dumps({k: r.as_dict() for k, r in records.items()})}
        try:
            self.client.secrets.kv.v2.create_or_update_secret(KEYRING_PATH, payload, cas=version, mount_point=self.mount)
        except hvac.exceptions.InvalidRequest as exc:
            raise VaultError(f"the keyring changed while this command ran; run it again ({exc})") from None

    def create(self, principal: str, models: list[str], rpm: int | None = None, tpm: int | None = None, expires_in: float | None = None, groups=(), roles=()) -> str:
        records, version = self.read()
        key, key_id, key_hash = generate_key()
        expires = time.time() + expires_in if expires_in else None
        records[key_id] = KeyRecord(key_id, key_hash, principal, tuple(models), rpm, tpm, tuple(groups), tuple(roles), expires=expires)
        self.write(records, version)
        return key

    def revoke(self, principal: str) -> int:
        records, version = self.read()
        hits = [k for k, r in records.items() if r.principal == principal and not r.revoked]
        if not hits:
            raise VaultError(f"no active key for principal {principal!r}")
        for k in hits:
            records[k] = replace(records[k], revoked=True)
        self.write(records, version)
        return len(hits)

    def rotate(self, principal: str, grace_seconds: float) -> str:
        records, version = self.read()
        active = [r for r in records.values() if r.principal == principal and r.usable()]
        if not active:
            raise VaultError(f"no active key for principal {principal!r} to rotate")
        template = max(active, key=lambda r: r.created)
        key, key_id, key_hash = generate_key()
        records[key_id] = replace(template, key_id=key_id, key_hash=key_hash, created=time.time(), grace_until=None)
        for r in active:
            records[r.key_id] = replace(r, grace_until=time.time() + grace_seconds)
        self.write(records, version)
        return key


class VaultKeyStore:
    """``clock`` (seconds, like time.time) measures staleness; tests pass one they advance."""

    def __init__(self, client_factory, mount: str, ttl: float, max_stale: float, clock: Callable[[], float] = time.time):
        self._clock = clock
        self._client_factory = client_factory
        self._mount = mount
        self._ttl = ttl
        self._max_stale = max_stale
        self._records: dict[str, KeyRecord] = {}
        self._last_ok: float | None = None
        self._task: asyncio.Task | None = None
        self.failures = 0

    @classmethod
    def from_config(cls, cfg: KeyStoreConfig, clock: Callable[[], float] = time.time) -> VaultKeyStore:
        def factory() -> hvac.Client:
            verify: bool | str = cfg.ca_file or True
            client = hvac.Client(url=cfg.address, verify=verify, timeout=5)
            if cfg.jwt_file:
                # Kubernetes auth with the pod's projected, audience-bound token.
                client.auth.kubernetes.login(cfg.role, Path(cfg.jwt_file).read_text().strip(), mount_point=cfg.auth_path)
            else:
                client.token = os.environ.get(cfg.token_env)
            return client

        return cls(factory, cfg.kv_mount, cfg.cache_ttl_seconds, cfg.max_stale_seconds, clock)

    def refresh(self) -> bool:
        try:
            records, _ = Keyring(self._client_factory(), self._mount).read()
        except (hvac.exceptions.VaultError, requests.RequestException, OSError) as exc:
            self.failures += 1
            log.warning("key store refresh failed (%s); serving from the last good copy", type(exc).__name__)
            return False
        self._records, self._last_ok = records, self._clock()
        return True

    async def start(self) -> None:
        await asyncio.to_thread(self.refresh)
        self._task = asyncio.create_task(self._loop())

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._ttl)
            await asyncio.to_thread(self.refresh)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()

    def stale_seconds(self) -> float:
        return self._clock() - self._last_ok if self._last_ok else float("inf")

    def healthy(self) -> bool:
        return self._last_ok is not None and self._clock() - self._last_ok <= self._max_stale

    def get(self, key_id: str) -> KeyRecord | None:
        if not self.healthy():
            raise GatewayError(503, "API keys cannot be verified: the key store is unavailable", "key_store_unavailable", headers={"Retry-After": "10"})
        return self._records.get(key_id)
