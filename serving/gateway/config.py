"""The gateway's configuration: the gateway.yaml the llm-gateway chart renders, validated strictly."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

DataClass = Literal["public", "internal", "confidential", "restricted"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Canary(_Strict):
    url: Annotated[str, Field(pattern=r"^https?://")]
    weight: Annotated[int, Field(ge=0, le=100)]


class Upstream(_Strict):
    name: Annotated[str, Field(min_length=1, max_length=256)]
    url: Annotated[str, Field(pattern=r"^https?://")]
    data_classification: DataClass = "internal"
    high_risk: bool = False
    response_schema: dict | None = None
    # Fixed server-side; client system messages are refused on routes that set it.
    system_prompt: str | None = None
    canary: Canary | None = None
    # Kill switch: serving, disabled (503 at once) or fallback (to another model).
    state: Literal["serving", "disabled", "fallback"] = "serving"
    fallback: str | None = None
    timeout_seconds: Annotated[float, Field(gt=0, le=3600)] = 300
    # Scaled to zero when idle: the gateway holds its requests while it wakes (serving/gateway/wake.py).
    scale_to_zero: bool = False

    @model_validator(mode="after")
    def _fallback(self) -> Upstream:
        if self.state == "fallback" and not self.fallback:
            raise ValueError("state 'fallback' needs 'fallback: <model name>'")
        return self


class RateLimits(_Strict):
    requests_per_minute: Annotated[int, Field(ge=1)] = 60
    tokens_per_minute: Annotated[int, Field(ge=1)] = 60_000
    max_tokens_cap: Annotated[int, Field(ge=1)] = 4096
    default_max_tokens: Annotated[int, Field(ge=1)] = 512
    redis_url: str | None = None
    redis_password_file: str | None = None


class Guardrails(_Strict):
    prompt_injection: Literal["block", "flag"] = "block"
    pii_input: dict[DataClass, Literal["allow", "redact", "block"]] = Field(
        default_factory=lambda: {"public": "redact", "internal": "redact", "confidential": "redact", "restricted": "block"}
    )
    pii_output: Literal["redact", "block"] = "redact"
    rag_acl: Literal[True] = True
    human_review_timeout_seconds: Annotated[int, Field(ge=1, le=604_800)] = 86_400
    review_store: str | None = None  # sqlite path; Redis is used when rate_limits.redis_url is set


class KeyStoreConfig(_Strict):
    kind: Literal["memory", "vault"] = "memory"
    address: str | None = None
    auth_path: str = "kubernetes"
    role: str = "llm-gateway"
    kv_mount: str = "privllm"
    jwt_file: str | None = None
    ca_file: str | None = None
    token_env: str = "VAULT_TOKEN"  # dev and tests: a token instead of Kubernetes auth
    cache_ttl_seconds: Annotated[float, Field(gt=0, le=3600)] = 30
    max_stale_seconds: Annotated[float, Field(gt=0, le=86_400)] = 300


class Oidc(_Strict):
    issuer: Annotated[str, Field(pattern=r"^https://")]
    audience: str
    jwks_file: str | None = None  # air-gapped: keys from a file, never fetched
    groups_claim: str = "groups"
    models_by_group: dict[str, list[str]] = Field(default_factory=dict)


class GatewayConfig(_Strict):
    listen_port: Annotated[int, Field(ge=1, le=65535)] = 8080
    max_body_bytes: Annotated[int, Field(ge=1024, le=64 * 1024 * 1024)] = 1024 * 1024
    prompt_logging: Literal["never", "hash", "redacted"] = "never"
    upstreams: list[Upstream] = Field(min_length=1)
    rate_limits: RateLimits = Field(default_factory=RateLimits)
    guardrails: Guardrails = Field(default_factory=Guardrails)
    key_store: KeyStoreConfig = Field(default_factory=KeyStoreConfig)
    oidc: Oidc | None = None
    reviewer_role: str = "reviewer"

    @model_validator(mode="after")
    def _names(self) -> GatewayConfig:
        names = [u.name for u in self.upstreams]
        if len(set(names)) != len(names):
            raise ValueError(f"upstream names must be unique, got {names}")
        for u in self.upstreams:
            if u.fallback and u.fallback not in names:
                raise ValueError(f"upstream {u.name!r} falls back to unknown model {u.fallback!r}")
        return self

    def upstream(self, name: str) -> Upstream | None:
        return next((u for u in self.upstreams if u.name == name), None)


class ConfigError(ValueError):
    pass


def load_config(path: Path) -> GatewayConfig:
    try:
        raw = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read gateway config ({exc})") from None
    try:
        return GatewayConfig.model_validate(raw or {})
    except ValidationError as exc:
        lines = [f"{path}: {'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg']}" for e in exc.errors(include_url=False)]
        raise ConfigError("\n".join(lines)) from None
