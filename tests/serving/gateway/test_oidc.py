"""OIDC bearer tokens, verified offline against a JWKS file (no network fetch)."""

from __future__ import annotations

import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.serving.gateway.conftest import MODEL

pytestmark = pytest.mark.integration
ISSUER, AUDIENCE = "https://sso.corp.internal/realms/llm", "privllm-gateway"


@pytest.fixture
def keys(tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid="k1", use="sig", alg="RS256")
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": [jwk]}))
    return key, tmp_path / "jwks.json"


def token(key, **claims) -> str:
    body = {"iss": ISSUER, "aud": AUDIENCE, "sub": "alice", "groups": ["analysts"], "exp": int(time.time()) + 300, **claims}
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": "k1"})


def test_oidc_tokens(make_gateway, keys):
    key, jwks = keys
    gw = make_gateway({"oidc": {"issuer": ISSUER, "audience": AUDIENCE, "jwks_file": str(jwks), "models_by_group": {"analysts": [MODEL]}}})
    ok = gw.chat(token(key), "hello")
    assert ok.status_code == 200
    assert gw.audit()[-1]["privllm.principal"] == "alice"
    assert gw.chat(token(key, groups=["visitors"]), "hello").status_code == 404  # no existence oracle
    assert gw.chat(token(key, exp=1), "hello").status_code == 401  # expired in 1970
    assert gw.chat(token(key, aud="someone-else"), "hello").status_code == 401
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert gw.chat(token(other), "hello").status_code == 401
    forged = jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "sub": "mallory", "groups": ["analysts"]}, "forged-with-a-shared-secret-0123456789", algorithm="HS256", headers={"kid": "k1"})
    assert gw.chat(forged, "hello").status_code == 401
