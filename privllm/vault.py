"""Vault (or OpenBao): idempotent bootstrap, and the gateway's API-key lifecycle.

Connection comes from the standard VAULT_ADDR / VAULT_TOKEN / VAULT_CACERT variables, or
the stack's vault address. Every policy is generated from the stack: each workload reads
only its own path. The keyring holds key hashes and metadata, never a key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import hvac
import hvac.exceptions

from privllm.facts import (
    VAULT_AUDIT_DEVICE,
    VAULT_CI_APPROLE,
    VAULT_CI_POLICY,
    VAULT_KUBERNETES_AUTH,
    VAULT_POLICIES,
    VAULT_ROLE_TTL,
    VAULT_ROLES,
    VAULT_TOKEN_AUDIENCE,
    VAULT_TRANSIT_MOUNT,
)
from privllm.serving.gateway.vault_keys import Keyring, VaultError
from privllm.stack import StackConfig
from privllm.stack.naming import names

__all__ = ["Keyring", "VaultError", "bootstrap", "client_from_env", "parse_duration", "policies"]


def client_from_env(address: str | None = None) -> hvac.Client:
    addr = os.environ.get("VAULT_ADDR") or address
    token = os.environ.get("VAULT_TOKEN")
    if not addr:
        raise VaultError("no Vault address: set VAULT_ADDR (or vault.address in the stack)")
    if not token:
        raise VaultError("no Vault token: set VAULT_TOKEN")
    verify: bool | str = os.environ.get("VAULT_CACERT") or True
    client = hvac.Client(url=addr, token=token, verify=verify, timeout=10)
    try:
        if not client.is_authenticated():
            raise VaultError(f"the token in VAULT_TOKEN is not valid at {addr}")
    except (hvac.exceptions.VaultError, OSError) as exc:
        raise VaultError(f"cannot reach Vault at {addr}: {exc}") from None
    return client


def policies(cfg: StackConfig) -> dict[str, str]:
    """Least-privilege policies, one per workload, from the Vault layout in privllm.facts."""
    roles = kubernetes_roles(cfg)
    wanted = {r["policies"][0] for r in roles.values()} | {VAULT_CI_POLICY}
    return {name: p.hcl(cfg.vault.kv_mount, cfg.vault.transit_key) for name, p in VAULT_POLICIES.items() if name in wanted}


def kubernetes_roles(cfg: StackConfig) -> dict[str, dict]:
    """Each role binds the service accounts of one namespace; the kind stand-ins only on kind."""
    n = names(cfg)
    roles: dict[str, dict] = {}
    for role in VAULT_ROLES.values():
        if role.kind_only and cfg.target.kind != "kind":
            continue
        accounts = list(role.service_accounts) or [n.vllm_fullname(m.name) for m in cfg.models]
        roles[role.name] = {"sa": accounts, "ns": [n.namespace(role.namespace)], "policies": [role.policy]}
    return roles


@dataclass
class Step:
    what: str
    changed: bool


def bootstrap(
    client: hvac.Client,
    cfg: StackConfig,
    kubernetes_host: str = "https://kubernetes.default.svc",
    audit_path: str = "stdout",
    local_ca_jwt: bool | None = None,
    kubernetes_ca_cert: str | None = None,
    kubernetes: bool = True,
) -> list[Step]:
    """Configure Vault for the stack; a second run changes nothing and says so.

    local_ca_jwt: Vault reviews tokens with its own pod's CA and token (in-cluster Vault);
    an external Vault needs it off. Defaults from the stack's vault.mode.
    """
    if local_ca_jwt is None:
        local_ca_jwt = cfg.vault.mode == "in-cluster"
    if kubernetes and not local_ca_jwt and not kubernetes_ca_cert:
        raise VaultError("a Vault outside the cluster needs the cluster's CA certificate (--kubernetes-ca-file)")
    steps: list[Step] = []
    kv = cfg.vault.kv_mount
    mounts = client.sys.list_mounted_secrets_engines()["data"]
    if f"{kv}/" not in mounts:
        client.sys.enable_secrets_engine("kv", path=kv, options={"version": "2"}, description="privllm secrets")
        steps.append(Step(f"enabled KV v2 at {kv}/", True))
    else:
        steps.append(Step(f"KV v2 at {kv}/", False))
    if f"{VAULT_TRANSIT_MOUNT}/" not in mounts:
        client.sys.enable_secrets_engine("transit", path=VAULT_TRANSIT_MOUNT)
        steps.append(Step("enabled transit", True))
    try:
        client.secrets.transit.read_key(cfg.vault.transit_key)
        steps.append(Step(f"transit key {cfg.vault.transit_key}", False))
    except hvac.exceptions.InvalidPath:
        client.secrets.transit.create_key(cfg.vault.transit_key, key_type="aes256-gcm96")
        steps.append(Step(f"created transit key {cfg.vault.transit_key} (stored prompts and completions)", True))

    for name, text in policies(cfg).items():
        current = _policy(client, name)
        if current.strip() != text.strip():
            client.sys.create_or_update_policy(name, text)
            steps.append(Step(f"wrote policy {name}", True))
        else:
            steps.append(Step(f"policy {name}", False))

    auth = client.sys.list_auth_methods()["data"]
    if not kubernetes:
        steps.append(Step("Kubernetes auth skipped (--no-kubernetes)", False))
    elif f"{VAULT_KUBERNETES_AUTH}/" not in auth:
        client.sys.enable_auth_method("kubernetes", path=VAULT_KUBERNETES_AUTH)
        steps.append(Step("enabled Kubernetes auth", True))
    if kubernetes:
        auth_config = (client.read(f"auth/{VAULT_KUBERNETES_AUTH}/config") or {}).get("data") or {}
        wanted_ca = (kubernetes_ca_cert or "").strip()
        if (
            auth_config.get("kubernetes_host") != kubernetes_host
            or bool(auth_config.get("disable_local_ca_jwt")) == local_ca_jwt
            or (wanted_ca and (auth_config.get("kubernetes_ca_cert") or "").strip() != wanted_ca)
        ):
            client.auth.kubernetes.configure(kubernetes_host=kubernetes_host, disable_local_ca_jwt=not local_ca_jwt, kubernetes_ca_cert=kubernetes_ca_cert, mount_point=VAULT_KUBERNETES_AUTH)
            steps.append(Step(f"configured Kubernetes auth for {kubernetes_host}", True))
        else:
            steps.append(Step("Kubernetes auth config", False))
        for role, spec in kubernetes_roles(cfg).items():
            wanted = {"bound_service_account_names": sorted(spec["sa"]), "bound_service_account_namespaces": sorted(spec["ns"]), "token_policies": spec["policies"]}
            existing = (client.read(f"auth/{VAULT_KUBERNETES_AUTH}/role/{role}") or {}).get("data") or {}
            if all(sorted(existing.get(k) or []) == sorted(v) for k, v in wanted.items()) and existing.get("audience") == VAULT_TOKEN_AUDIENCE:
                steps.append(Step(f"Kubernetes role {role}", False))
                continue
            client.auth.kubernetes.create_role(role, spec["sa"], spec["ns"], ttl=VAULT_ROLE_TTL, policies=spec["policies"], audience=VAULT_TOKEN_AUDIENCE, mount_point=VAULT_KUBERNETES_AUTH)
            steps.append(Step(f"wrote Kubernetes role {role} -> {', '.join(spec['policies'])}", True))

    if "approle/" not in auth:
        client.sys.enable_auth_method("approle")
        steps.append(Step("enabled AppRole auth", True))
    approle = (client.read(f"auth/approle/role/{VAULT_CI_APPROLE}") or {}).get("data") or {}
    if approle.get("token_policies") != [VAULT_CI_POLICY] or approle.get("token_ttl") != 900:
        client.auth.approle.create_or_update_approle(VAULT_CI_APPROLE, token_policies=[VAULT_CI_POLICY], token_ttl="15m", token_max_ttl="30m", secret_id_ttl="24h")
        steps.append(Step(f"wrote AppRole {VAULT_CI_APPROLE} (15 minute tokens, key administration only)", True))
    else:
        steps.append(Step(f"AppRole {VAULT_CI_APPROLE}", False))

    devices = client.sys.list_enabled_audit_devices()["data"]
    if f"{VAULT_AUDIT_DEVICE}/" in devices:
        steps.append(Step(f"audit device {VAULT_AUDIT_DEVICE}/", False))
        return steps
    try:
        client.sys.enable_audit_device("file", path=VAULT_AUDIT_DEVICE, options={"file_path": audit_path, "format": "json"})
    except hvac.exceptions.InvalidRequest as exc:
        # OpenBao only accepts audit devices declared in its server configuration.
        raise VaultError(
            f"Vault refused to enable the audit device through the API ({exc}); declare "
            f'audit "file" "{VAULT_AUDIT_DEVICE}" {{ options {{ file_path = "{audit_path}" format = "json" }} }} in its configuration'
        ) from None
    steps.append(Step(f"enabled the audit device (file {audit_path}, collected by the node log agent)", True))
    return steps


def _policy(client: hvac.Client, name: str) -> str:
    try:
        return client.sys.read_policy(name)["data"]["rules"]
    except hvac.exceptions.InvalidPath:
        return ""


def parse_duration(text: str) -> float:
    """'90d', '12h', '30m', '45s' -> seconds."""
    units = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    if len(text) < 2 or text[-1] not in units or not text[:-1].isdigit():
        raise ValueError(f"{text!r} is not a duration like 90d, 12h, 30m or 45s")
    return int(text[:-1]) * units[text[-1]]
