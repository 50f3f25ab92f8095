"""API keys: ``pllm_<key id>_<secret>``. Only a SHA-256 of the whole key is ever stored.

The key id lets the store find the record without scanning; the hash is compared in
constant time. Keys are 256-bit random, so a plain SHA-256 is not brute-forceable.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import asdict, dataclass, field
from typing import Protocol

PREFIX = "pllm_"


@dataclass(frozen=True)
class KeyRecord:
    key_id: str
    key_hash: str
    principal: str
    models: tuple[str, ...]
    rpm: int | None = None
    tpm: int | None = None
    groups: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    created: float = field(default_factory=time.time)
    expires: float | None = None
    revoked: bool = False
    # During rotation the old key stays valid until this time.
    grace_until: float | None = None

    def usable(self, now: float | None = None) -> bool:
        now = now or time.time()
        if self.revoked:
            return False
        if self.expires is not None and now >= self.expires:
            return False
        return self.grace_until is None or now < self.grace_until

    def as_dict(self) -> dict:
        d = asdict(self)
        d["models"] = list(self.models)
        d["groups"] = list(self.groups)
        d["roles"] = list(self.roles)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> KeyRecord:
        d = dict(d)
        for key in ("models", "groups", "roles"):
            d[key] = tuple(d.get(key) or ())
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


def generate_key() -> tuple[str, str, str]:
    """A new key: (key, key_id, key_hash)."""
    key_id = secrets.token_hex(6)
    key = f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    return key, key_id, hash_key(key)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_id_of(key: str) -> str | None:
    if not key.startswith(PREFIX):
        return None
    parts = key[len(PREFIX) :].split("_", 1)
    return parts[0] if len(parts) == 2 and len(parts[0]) == 12 else None


def matches(record: KeyRecord, key: str) -> bool:
    return hmac.compare_digest(record.key_hash, hash_key(key))


class KeyStore(Protocol):
    def get(self, key_id: str) -> KeyRecord | None: ...

    def stale_seconds(self) -> float: ...

    def healthy(self) -> bool: ...

    async def start(self) -> None: ...  # background refresh, where the store has one

    async def stop(self) -> None: ...


class MemoryKeyStore:
    """The dev-mode store: records in this process only."""

    def __init__(self) -> None:
        self._records: dict[str, KeyRecord] = {}

    def put(self, record: KeyRecord) -> None:
        self._records[record.key_id] = record

    def get(self, key_id: str) -> KeyRecord | None:
        return self._records.get(key_id)

    def stale_seconds(self) -> float:
        return 0.0

    async def start(self) -> None:
        """Nothing to refresh: the records live in this process."""

    async def stop(self) -> None:
        """Nothing to stop."""

    def healthy(self) -> bool:
        return True

    def issue(self, principal: str, models: list[str], **kwargs) -> str:
        key, key_id, key_hash = generate_key()
        self.put(KeyRecord(key_id=key_id, key_hash=key_hash, principal=principal, models=tuple(models), **kwargs))
        return key
