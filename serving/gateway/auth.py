"""Who is calling: an API key from the key store, or an OIDC bearer token verified offline."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import jwt

from privllm.serving.gateway.config import Oidc
from privllm.serving.gateway.errors import GatewayError
from privllm.serving.gateway.keys import KeyStore, key_id_of, matches


@dataclass(frozen=True)
class Principal:
    name: str
    models: frozenset[str]
    rpm: int | None
    tpm: int | None
    groups: frozenset[str]
    roles: frozenset[str]
    key_id: str | None = None


class OidcVerifier:
    def __init__(self, cfg: Oidc):
        self.cfg = cfg
        self._keys = jwt.PyJWKSet.from_dict(json.loads(Path(cfg.jwks_file).read_text())) if cfg.jwks_file else None

    def verify(self, token: str) -> Principal:
        if self._keys is None:
            raise GatewayError(401, "OIDC tokens are not accepted: no JWKS configured", "invalid_token")
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = next((k for k in self._keys.keys if kid is None or k.key_id == kid), None)
            if key is None:
                raise GatewayError(401, "token signed by an unknown key", "invalid_token")
            claims = jwt.decode(token, key.key, algorithms=["RS256", "ES256", "PS256"], audience=self.cfg.audience, issuer=self.cfg.issuer)
        except jwt.PyJWTError as exc:
            raise GatewayError(401, f"invalid token: {exc}", "invalid_token") from None
        groups = frozenset(claims.get(self.cfg.groups_claim) or [])
        models = frozenset(m for g in groups for m in self.cfg.models_by_group.get(g, []))
        return Principal(str(claims["sub"]), models, None, None, groups, frozenset())


def bearer(headers) -> str | None:
    value = headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def authenticate(headers, store: KeyStore, oidc: OidcVerifier | None) -> Principal:
    token = bearer(headers)
    if token is None:
        raise GatewayError(401, "missing API key: send 'Authorization: Bearer <key>'", "missing_api_key")
    key_id = key_id_of(token)
    if key_id is not None:
        record = store.get(key_id)
        if record is None or not matches(record, token) or not record.usable():
            raise GatewayError(401, "invalid, expired or revoked API key", "invalid_api_key")
        return Principal(record.principal, frozenset(record.models), record.rpm, record.tpm, frozenset(record.groups), frozenset(record.roles), key_id)
    if oidc is not None and token.count(".") == 2:
        return oidc.verify(token)
    raise GatewayError(401, "invalid API key", "invalid_api_key")
