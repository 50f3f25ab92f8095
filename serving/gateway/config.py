"""The gateway's configuration: the gateway.yaml the llm-gateway chart renders, validated strictly.

The model lives at the bottom of the package graph (privllm.stack.gateway_config), shared with
the stack and the chart's generated schema; this module re-exports it and reads the file.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from privllm.stack.gateway_config import (
    AuditConfig,
    Canary,
    DataClass,
    GatewayConfig,
    GatewaySettings,
    Guardrails,
    KeyStoreConfig,
    LimitKind,
    Oidc,
    OutagePolicy,
    RateLimits,
    ServerLimits,
    Upstream,
)

__all__ = [
    "AuditConfig",
    "Canary",
    "ConfigError",
    "DataClass",
    "GatewayConfig",
    "GatewaySettings",
    "Guardrails",
    "KeyStoreConfig",
    "LimitKind",
    "Oidc",
    "OutagePolicy",
    "RateLimits",
    "ServerLimits",
    "Upstream",
    "load_config",
]


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
