"""The gateway's configuration: one pydantic model for the stack, the chart and the gateway.

The stack embeds :class:`GatewaySettings` (``privllm:gateway``); the program adds what it derives
(upstreams from the models, the key store from Vault) to form :class:`GatewayConfig`, passes it
unchanged to the llm-gateway chart as ``gateway``, and the chart writes it as gateway.yaml, which
the gateway loads with this same model. The chart's values.schema.json part for ``gateway`` is
generated from it (:func:`chart_values_schema`; ``scripts/gen-gateway-schema`` rewrites it).

Adding a field: add it here with a docstring, run ``scripts/gen-gateway-schema``. Nothing else.
Attribute docstrings become the schema's descriptions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, field_validator, model_validator

from privllm import facts

DataClass = Literal["public", "internal", "confidential", "restricted"]
PiiAction = Literal["allow", "redact", "block"]
LimitKind = Literal["requests", "tokens"]
OutagePolicy = Literal["closed", "local"]
# Data classes whose audit records must survive a crash (durable audit by default).
SENSITIVE_CLASSES: tuple[DataClass, ...] = ("confidential", "restricted")
_PII_INPUT_DEFAULT: dict[DataClass, PiiAction] = {"public": "redact", "internal": "redact", "confidential": "redact", "restricted": "block"}
# Integer fields are StrictInt: `requests_per_minute: true` is an error, not 1.
# Regions whose national phone formats (no "+") the PII guard recognises unless configured otherwise.
DEFAULT_PHONE_REGIONS: tuple[str, ...] = ("US", "GB", "DE", "FR", "IN", "ES", "IT", "NL", "AU", "JP", "CA", "BR", "CH", "AT", "BE", "IE")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Canary(_Strict):
    url: Annotated[str, Field(pattern=r"^https?://")]
    """URL of the canary model server."""
    weight: Annotated[StrictInt, Field(ge=0, le=100)]
    """Percentage of requests sent to the canary."""


class Upstream(_Strict):
    name: Annotated[str, Field(min_length=1, max_length=256)]
    """The served model name clients ask for."""
    url: Annotated[str, Field(pattern=r"^https?://")]
    """Base URL of the model server (plain http only to in-cluster .svc names)."""
    data_classification: DataClass = "internal"
    """Data classification of what this model sees; sets PII handling and prompt logging limits."""
    high_risk: StrictBool = False
    """Hold this model's answers for human review before release."""
    response_schema: dict[str, Any] | None = None
    """JSON Schema every answer must meet (output validation); none means free text."""
    system_prompt: str | None = None
    """Fixed server-side system prompt; client system messages are refused on routes that set it."""
    canary: Canary | None = None
    """Send a share of the traffic to a canary server."""
    state: Literal["serving", "disabled", "fallback"] = "serving"
    """Kill switch: serving, disabled (503 at once) or fallback (to another model)."""
    fallback: str | None = None
    """The model that serves requests while state is fallback."""
    timeout_seconds: Annotated[StrictFloat, Field(gt=0, le=3600)] = 300
    """Longest wait for the model server's answer."""
    scale_to_zero: StrictBool = False
    """The model scales to zero when idle: the gateway holds its requests while it wakes (serving/gateway/wake.py)."""
    wake_hold_seconds: Annotated[float, Field(gt=0, le=3600)] = 300
    """Longest a request is held while a scale-to-zero model wakes (the stack sets it from the model's cold start)."""

    @model_validator(mode="after")
    def _fallback(self) -> Upstream:
        if self.state == "fallback" and not self.fallback:
            raise ValueError("state 'fallback' needs 'fallback: <model name>'")
        return self


MAX_TOKENS_PER_MINUTE = 100_000_000


class RateLimits(_Strict):
    requests_per_minute: Annotated[StrictInt, Field(ge=1, le=1_000_000)] = 60
    """Default requests per minute per principal (a key may set its own)."""
    tokens_per_minute: Annotated[StrictInt, Field(ge=1, le=MAX_TOKENS_PER_MINUTE)] = 60_000
    """Default tokens (prompt + max completion) per minute per principal."""
    max_tokens_cap: Annotated[StrictInt, Field(ge=1, le=1_048_576)] = 4096
    """Largest max_tokens a request may ask for."""
    default_max_tokens: Annotated[StrictInt, Field(ge=1, le=1_048_576)] = 512
    """max_tokens assumed when a request names none (for the token budget)."""
    redis_url: str | None = None
    """Redis shared by all replicas for rate limits and the review queue (set by the program)."""
    redis_password_file: str | None = None
    """File holding the Redis password (mounted from Vault; set by the program)."""
    on_redis_outage: dict[LimitKind, OutagePolicy] = Field(default={"requests": "closed", "tokens": "closed"})
    """Per limit, while Redis is unreachable: closed refuses with 503 and Retry-After; local counts in each replica's memory."""


_FAIL_CLOSED: list[DataClass] = ["confidential", "restricted"]


class InjectionClassifier(_Strict):
    """The optional model-based prompt-injection layer: a sequence-classification model served by vLLM."""

    url: Annotated[str, Field(pattern=r"^https?://")]
    """Base URL of the vLLM server that serves the classifier (an in-cluster .svc name)."""
    model: Annotated[str, Field(min_length=1)]
    """Served model name of the classifier (for example a Llama Prompt Guard 2 or DeBERTa injection model)."""
    path: Annotated[str, Field(pattern=r"^/")] = "/classify"
    """vLLM's classification endpoint."""
    injection_labels: list[str] = Field(default_factory=lambda: ["INJECTION", "JAILBREAK", "MALICIOUS", "LABEL_1"], min_length=1)
    """Labels of the model that mean injection."""
    threshold: Annotated[StrictFloat, Field(gt=0, lt=1)] = 0.5
    """Smallest probability of an injection label that flags the text."""
    budget_ms: Annotated[StrictInt, Field(ge=5, le=5000)] = 150
    """Longest wait for the classifier's answer, in milliseconds."""
    fail_closed: list[DataClass] = Field(default_factory=lambda: _FAIL_CLOSED.copy())
    """Data classes whose requests are refused when the classifier does not answer in time; the others pass with a note."""
    api_key_file: str | None = None
    """File holding the classifier server's API key (mounted from Vault)."""


class Guardrails(_Strict):
    prompt_injection: Literal["block", "flag"] = "block"
    """Prompt-injection action: block (400) or flag (audit only)."""
    pii_input: dict[DataClass, PiiAction] = Field(default_factory=lambda: dict(_PII_INPUT_DEFAULT))
    """Input PII action per data classification: allow, redact or block."""
    pii_output: Literal["redact", "block"] = "redact"
    """Output PII action: redact or block."""
    rag_acl: Literal[True] = True
    """Document-level ACL filter on retrieved context (always on)."""
    human_review_timeout_seconds: Annotated[StrictInt, Field(ge=60, le=604_800)] = 86_400
    """Seconds a held high-risk answer waits for a reviewer before it expires (1 minute to 7 days)."""
    review_store: str | None = None
    """SQLite file of the review queue for a single replica; Redis is used when rate_limits.redis_url is set."""
    embeddings_flagged_item: Literal["skip", "fail_batch"] = "skip"
    """An embeddings input item a guard refuses: left out and named by its index (skip), or the whole batch refused (fail_batch)."""
    pii_phone_regions: list[str] = Field(default_factory=lambda: list(DEFAULT_PHONE_REGIONS), min_length=1)
    """Regions (ISO 3166 alpha-2) whose national phone formats, written without "+", the PII guard recognises."""
    injection_classifier: InjectionClassifier | None = None
    """Optional second injection layer: a classifier model served by vLLM, with a latency budget and a fail policy."""

    @field_validator("pii_phone_regions")
    @classmethod
    def _regions(cls, regions: list[str]) -> list[str]:
        unknown = [r for r in regions if r not in phonenumbers.SUPPORTED_REGIONS]
        if unknown:
            raise ValueError(f"unknown region codes {unknown}; use ISO 3166 alpha-2 codes such as US, GB, DE, IN")
        return regions


class KeyStoreConfig(_Strict):
    kind: Literal["memory", "vault"] = "memory"
    """Where API-key hashes live: vault in production, memory for development."""
    address: str | None = None
    """Vault address (https)."""
    auth_path: str = facts.VAULT_KUBERNETES_AUTH
    """Vault's Kubernetes auth mount."""
    role: str = facts.VAULT_ROLES["llm-gateway"].name
    """Vault Kubernetes auth role of the gateway."""
    kv_mount: str = facts.VAULT_KV_MOUNT
    """KV v2 mount holding the keyring."""
    jwt_file: str | None = None
    """Projected service-account token presented to Vault."""
    ca_file: str | None = None
    """CA bundle that signs Vault's certificate."""
    token_env: str = "VAULT_TOKEN"
    """Development and tests: the variable holding a Vault token, used when jwt_file is unset."""
    cache_ttl_seconds: Annotated[StrictFloat, Field(gt=0, le=3600)] = facts.KEY_CACHE_TTL_SECONDS
    """Seconds between keyring reads: a revocation takes effect within this time."""
    max_stale_seconds: Annotated[StrictFloat, Field(gt=0, le=86_400)] = facts.KEY_MAX_STALE_SECONDS
    """Serve from the last good keyring at most this long while Vault is unreachable, then fail closed."""


class Oidc(_Strict):
    issuer: Annotated[str, Field(pattern=r"^https://")]
    """OIDC issuer accepted for bearer tokens."""
    audience: str
    """Audience the tokens must carry."""
    jwks_file: str | None = None
    """Air-gapped: the issuer's keys from a file, never fetched."""
    groups_claim: str = "groups"
    """Claim holding the caller's groups."""
    models_by_group: dict[str, list[str]] = Field(default_factory=dict)
    """Models each group may call."""


class ServerLimits(_Strict):
    """What one client connection may cost the gateway (enforced by its HTTP server)."""

    max_header_bytes: Annotated[StrictInt, Field(ge=1024, le=1024 * 1024)] = 32 * 1024
    """Largest request head (request line and headers) in bytes; larger heads get 431."""
    max_headers: Annotated[StrictInt, Field(ge=8, le=1000)] = 100
    """Most header fields in one request; more get 431."""
    request_read_timeout_seconds: Annotated[StrictFloat, Field(gt=0, le=600)] = 30
    """A request (head and body) must arrive within this; slower senders get 408 and are closed."""
    keep_alive_timeout_seconds: Annotated[StrictFloat, Field(gt=0, le=600)] = 5
    """An idle connection (no request in flight) is closed after this."""
    max_connections: Annotated[StrictInt, Field(ge=1, le=100_000)] = 1024
    """Open connections beyond this get 503 with Retry-After and are closed."""


class AuditConfig(_Strict):
    mode: Literal["auto", "durable", "normal"] = "auto"
    """durable: no response leaves before its audit record is fsynced to the spool; auto: durable when any upstream serves confidential or restricted data."""
    spool_dir: str | None = None
    """Append-only spool the exporter ships from, on the pod's volume (set by the program); unset: a private temporary directory."""
    max_spool_bytes: Annotated[StrictInt, Field(ge=1024 * 1024, le=1024**4)] = 1024**3
    """Upper bound of the spool; beyond it records are refused (durable, 503) or dropped and counted (normal)."""
    drain_seconds: Annotated[float, Field(ge=0, le=300)] = 15
    """On shutdown (SIGTERM), keep shipping what the spool holds for at most this long; the rest waits for the next start."""


class GatewaySettings(_Strict):
    """What an operator sets for the gateway in the stack (``privllm:gateway``)."""

    max_body_bytes: Annotated[StrictInt, Field(ge=1024, le=16 * 1024 * 1024)] = 1024 * 1024
    """Largest accepted request body in bytes (413 above)."""
    rate_limits: RateLimits = Field(default_factory=RateLimits)
    """Per-principal request and token limits."""
    guardrails: Guardrails = Field(default_factory=Guardrails)
    """Input and output guards."""
    oidc: Oidc | None = None
    """Accept OIDC bearer tokens besides API keys."""
    reviewer_role: str = "reviewer"
    """Key role allowed to approve or reject held answers."""
    server: ServerLimits = Field(default_factory=ServerLimits)
    """Limits on client connections: header size and count, read and idle timeouts, open connections."""
    audit: AuditConfig = Field(default_factory=AuditConfig)
    """Audit durability and the spool."""


class GatewayConfig(GatewaySettings):
    """The gateway's whole configuration file (gateway.yaml): the stack's settings plus what the program derives."""

    listen_port: Annotated[StrictInt, Field(ge=1, le=65535)] = facts.GATEWAY_PORT
    """Port the gateway listens on."""
    prompt_logging: Literal["never", "hash", "redacted"] = "never"
    """Prompt content in audit records: never, hash or redacted (from the stack's data.prompt_logging)."""
    upstreams: list[Upstream] = Field(min_length=1)
    """The models behind the gateway (from the stack's models)."""
    key_store: KeyStoreConfig = Field(default_factory=KeyStoreConfig)
    """Where API-key hashes are read from."""

    @model_validator(mode="after")
    def _names(self) -> GatewayConfig:
        names = [u.name for u in self.upstreams]
        if len(set(names)) != len(names):
            raise ValueError(f"upstream names must be unique, got {names}")
        for u in self.upstreams:
            if u.fallback and u.fallback not in names:
                raise ValueError(f"upstream {u.name!r} falls back to unknown model {u.fallback!r}")
        sensitive = sorted(u.name for u in self.upstreams if u.data_classification in SENSITIVE_CLASSES)
        if sensitive and self.audit.mode == "normal":
            raise ValueError(
                f"audit.mode 'normal' may lose records in a crash; upstreams {sensitive} serve confidential or restricted data: use 'durable' or 'auto'"
            )
        return self

    @property
    def durable_audit(self) -> bool:
        if self.audit.mode == "auto":
            return any(u.data_classification in SENSITIVE_CLASSES for u in self.upstreams)
        return self.audit.mode == "durable"

    def upstream(self, name: str) -> Upstream | None:
        return next((u for u in self.upstreams if u.name == name), None)


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    """Replace every $ref by its definition: the chart schema has no room for a $defs table."""
    if isinstance(node, dict):
        if "$ref" in node:
            target = defs[node["$ref"].rsplit("/", 1)[1]]
            return _inline({**target, **{k: v for k, v in node.items() if k != "$ref"}}, defs)
        return {k: _inline(v, defs) for k, v in node.items() if k != "title"}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def chart_values_schema() -> dict[str, Any]:
    """The JSON Schema of the chart's ``gateway`` value, generated from :class:`GatewayConfig`."""
    schema = GatewayConfig.model_json_schema(mode="validation")
    defs = schema.pop("$defs", {})
    return _inline(schema, defs)


def chart_schema_path() -> Path:
    from privllm.paths import CHARTS

    return CHARTS / "llm-gateway" / "values.schema.json"


def chart_schema_with_gateway(current: dict[str, Any]) -> dict[str, Any]:
    """The chart's whole values schema with its ``gateway`` part replaced by the generated one."""
    return {**current, "properties": {**current["properties"], "gateway": chart_values_schema()}}


def write_chart_schema() -> Path:
    path = chart_schema_path()
    current = json.loads(path.read_text())
    path.write_text(json.dumps(chart_schema_with_gateway(current), indent=2) + "\n")
    return path
