"""Observability: the OpenTelemetry collector pair generated from StackConfig (a gateway
StatefulSet with a persistent sending queue that ships to the SIEM over TLS, and a node
agent DaemonSet for container logs), plus platform alert rules."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s
import yaml

from infra.alerts import platform_rules
from infra.components.base import in_namespace, mirror_chart, mirror_image
from infra.naming import names
from privllm import facts
from privllm.stack import StackConfig
from serving.telemetry.collector import QUEUE_DIR, SECRETS_DIR, TLS_DIR, agent_config, gateway_config

RESTRICTED_CONTAINER = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "runAsNonRoot": True,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}


@dataclass
class ObservabilityArgs:
    cfg: StackConfig
    namespaces: dict | None = None


class Observability(pulumi.ComponentResource):
    def __init__(self, name: str, args: ObservabilityArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("privllm:observability:Observability", name, None, opts)
        cfg = args.cfg
        n = names(cfg)
        nss = args.namespaces or {}
        dep = lambda ns, *more: in_namespace(self, nss, ns, *more)  # noqa: E731
        collector_tls = f"{cfg.vault.kv_mount}/data/{facts.COLLECTOR_TLS_PATH}"
        objects = [{"objectName": key, "secretPath": collector_tls, "secretKey": key} for key in ("tls.crt", "tls.key", "ca.crt")]
        siem_objects = []
        for d in cfg.telemetry.siem:
            siem_objects.append({"objectName": f"{d.ca_secret}-ca.crt", "secretPath": f"{cfg.vault.kv_mount}/data/{facts.TELEMETRY_PATH}/{d.ca_secret}", "secretKey": "ca.crt"})
            if d.token_secret:
                siem_objects.append({"objectName": f"{d.token_secret}-token", "secretPath": f"{cfg.vault.kv_mount}/data/{facts.TELEMETRY_PATH}/{d.token_secret}", "secretKey": "token"})
        from infra.naming import vault_address

        spc = k8s.apiextensions.CustomResource(
            f"{name}-collector-secrets",
            api_version="secrets-store.csi.x-k8s.io/v1",
            kind="SecretProviderClass",
            metadata={"name": "otel-collector-secrets", "namespace": n.observability_ns, "labels": {"app.kubernetes.io/part-of": "privllm"}},
            spec={
                "provider": "vault",
                "parameters": {
                    "vaultAddress": vault_address(cfg),
                    "roleName": facts.VAULT_ROLES["otel-collector"].name,
                    "objects": pulumi.Output.json_dumps(objects + siem_objects).apply(_yaml_list),
                },
            },
            opts=dep(n.observability_ns),
        )
        csi_volume = {"name": "secrets", "csi": {"driver": "secrets-store.csi.k8s.io", "readOnly": True, "volumeAttributes": {"secretProviderClass": "otel-collector-secrets"}}}
        mounts = [{"name": "secrets", "mountPath": TLS_DIR, "readOnly": True}] + [
            {"name": "secrets", "mountPath": f"{SECRETS_DIR}/{d.ca_secret}/ca.crt", "subPath": f"{d.ca_secret}-ca.crt", "readOnly": True}
            for d in cfg.telemetry.siem
        ] + [
            {"name": "secrets", "mountPath": f"{SECRETS_DIR}/{d.token_secret}/token", "subPath": f"{d.token_secret}-token", "readOnly": True}
            for d in cfg.telemetry.siem
            if d.token_secret
        ]
        mirror_chart(
            f"{name}-collector",
            cfg,
            "opentelemetry-collector",
            namespace=n.observability_ns,
            values={
                "fullnameOverride": facts.COLLECTOR_NAME,
                "mode": "statefulset",
                "replicaCount": 2,
                "image": mirror_image(cfg, "otel-collector"),
                "command": {"name": "otelcol-contrib"},
                "config": gateway_config(cfg),
                "securityContext": RESTRICTED_CONTAINER,
                "podSecurityContext": {"runAsNonRoot": True, "runAsUser": 10001, "fsGroup": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
                "serviceAccount": {"create": True, "automountServiceAccountToken": False},
                "extraVolumes": [csi_volume],
                "extraVolumeMounts": mounts + [{"name": "queue", "mountPath": QUEUE_DIR}],
                "statefulset": {
                    "volumeClaimTemplates": [
                        {"metadata": {"name": "queue"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "20Gi"}}}}
                    ]
                },
                "ports": {"metrics": {"enabled": True}},
            },
            opts=dep(n.observability_ns, spc),
        )
        mirror_chart(
            f"{name}-agent",
            cfg,
            "opentelemetry-collector",
            namespace=n.node_logs_ns,
            values={
                "fullnameOverride": "otel-agent",
                "mode": "daemonset",
                "image": mirror_image(cfg, "otel-collector"),
                "command": {"name": "otelcol-contrib"},
                "config": agent_config(cfg, [n.gateway_ns, n.serving_ns, n.vault_ns], n.collector_endpoint),
                "presets": {"logsCollection": {"enabled": True, "includeCollectorLogs": False}},
                "securityContext": {**RESTRICTED_CONTAINER, "runAsUser": 0, "runAsNonRoot": False},
                "serviceAccount": {"create": True, "automountServiceAccountToken": False},
                "tolerations": [{"operator": "Exists"}],
            },
            opts=dep(n.node_logs_ns),
        )
        if cfg.target.kind == "kind":
            self._siem_standin(name, cfg, nss[n.siem_standin_ns] if n.siem_standin_ns in nss else None)
        rules = platform_rules(cfg)
        k8s.apiextensions.CustomResource(
            f"{name}-platform-alerts",
            api_version=rules["apiVersion"],
            kind=rules["kind"],
            metadata={**rules["metadata"], "namespace": n.observability_ns},
            spec=rules["spec"],
            opts=dep(n.observability_ns),
        )
        self.register_outputs({"collector_endpoint": n.collector_endpoint})

    def _siem_standin(self, name: str, cfg: StackConfig, ns) -> None:
        """kind only: a stand-in for the organisation's SIEM, so the audit path can be tested end to end."""
        from infra.naming import vault_address

        SIEM_STANDIN_NS = names(cfg).siem_standin_ns  # noqa: N806 - read as the constant it is
        standin_tls = f"{cfg.vault.kv_mount}/data/{facts.SIEM_STANDIN_TLS_PATH}"
        k8s.networking.v1.NetworkPolicy(
            f"{name}-siem-standin-policy",
            metadata={"name": "siem-standin", "namespace": SIEM_STANDIN_NS},
            spec={
                "podSelector": {},
                "policyTypes": ["Ingress", "Egress"],
                "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": names(cfg).observability_ns}}}], "ports": [{"protocol": "TCP", "port": facts.SYSLOG_TLS_PORT}]}],
                "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": names(cfg).csi_ns}}}]}],
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[ns] if ns else []),
        )
        spc = k8s.apiextensions.CustomResource(
            f"{name}-siem-standin-secrets",
            api_version="secrets-store.csi.x-k8s.io/v1",
            kind="SecretProviderClass",
            metadata={"name": "siem-standin-tls", "namespace": SIEM_STANDIN_NS},
            spec={"provider": "vault", "parameters": {
                "vaultAddress": vault_address(cfg),
                # Its own role: binds the stand-in's service account in its namespace (privllm vault bootstrap).
                "roleName": facts.VAULT_ROLES["siem-standin"].name,
                "objects": yaml.safe_dump([{"objectName": key, "secretPath": standin_tls, "secretKey": key} for key in ("tls.crt", "tls.key")], sort_keys=False),
            }},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[ns] if ns else []),
        )
        mirror_chart(
            f"{name}-siem-standin",
            cfg,
            "opentelemetry-collector",
            namespace=SIEM_STANDIN_NS,
            values={
                "fullnameOverride": facts.SIEM_STANDIN_NAME,
                "mode": "deployment",
                "image": mirror_image(cfg, "otel-collector"),
                "command": {"name": "otelcol-contrib"},
                "config": _siem_standin_config(),
                "securityContext": RESTRICTED_CONTAINER,
                "serviceAccount": {"create": True, "automountServiceAccountToken": False},
                "extraVolumes": [{"name": "tls", "csi": {"driver": "secrets-store.csi.k8s.io", "readOnly": True, "volumeAttributes": {"secretProviderClass": "siem-standin-tls"}}}],
                "extraVolumeMounts": [{"name": "tls", "mountPath": TLS_DIR, "readOnly": True}],
                "ports": {"syslog": {"enabled": True, "containerPort": facts.SYSLOG_TLS_PORT, "servicePort": facts.SYSLOG_TLS_PORT, "protocol": "TCP"}},
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=([ns] if ns else []) + [spc]),
        )


def _siem_standin_config() -> dict:
    """The kind stack's SIEM stand-in: syslog (RFC 5424) over TLS in, every record printed out."""
    tls = {"cert_file": f"{TLS_DIR}/tls.crt", "key_file": f"{TLS_DIR}/tls.key"}
    return {
        "receivers": {"syslog": {"tcp": {"listen_address": f"0.0.0.0:{facts.SYSLOG_TLS_PORT}", "tls": tls}, "protocol": "rfc5424"}},
        "exporters": {"debug": {"verbosity": "detailed"}},
        "service": {"pipelines": {"logs": {"receivers": ["syslog"], "exporters": ["debug"]}}},
    }


def _yaml_list(objects_json: str) -> str:
    import json

    import yaml

    return yaml.safe_dump(json.loads(objects_json), sort_keys=False)
