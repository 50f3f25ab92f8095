"""Observability: the OpenTelemetry collector pair generated from StackConfig (a gateway
StatefulSet with a persistent sending queue that ships to the SIEM over TLS, and a node
agent DaemonSet for container logs), plus platform alert rules."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s
import yaml

from privllm import facts
from privllm.infra.alerts import platform_rules
from privllm.infra.components.base import in_namespace, mirror_chart, mirror_image
from privllm.serving.telemetry.collector import QUEUE_DIR, SECRETS_DIR, TLS_DIR, agent_config, gateway_config
from privllm.stack import StackConfig
from privllm.stack.naming import names, vault_address

# The ports the chart defines by default; each is turned off unless a release names it.
AGENT_SECRETS = "otel-agent-tls"  # the agent's SecretProviderClass
COLLECTOR_CHART_PORTS = ("otlp", "otlp-http", "jaeger-compact", "jaeger-thrift", "jaeger-grpc", "zipkin", "metrics")
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
        self._collector(
            name, cfg, n.observability_ns, facts.COLLECTOR_NAME, "statefulset", gateway_config(cfg), dep(n.observability_ns, spc),
            ports=("otlp", "otlp-http", "metrics"),
            values={
                "replicaCount": 2,
                "podSecurityContext": {"runAsNonRoot": True, "runAsUser": 10001, "fsGroup": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
                "extraVolumes": [csi_volume],
                "extraVolumeMounts": mounts + [{"name": "queue", "mountPath": QUEUE_DIR}],
                "statefulset": {
                    "volumeClaimTemplates": [
                        {"metadata": {"name": "queue"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "20Gi"}}}}
                    ]
                },
            },
        )
        agent_spc = k8s.apiextensions.CustomResource(
            f"{name}-agent-secrets",
            api_version="secrets-store.csi.x-k8s.io/v1",
            kind="SecretProviderClass",
            metadata={"name": AGENT_SECRETS, "namespace": n.node_logs_ns, "labels": {"app.kubernetes.io/part-of": "privllm"}},
            spec={
                "provider": "vault",
                "parameters": {
                    "vaultAddress": vault_address(cfg),
                    "roleName": facts.VAULT_ROLES[facts.COLLECTOR_AGENT_NAME].name,
                    "objects": _yaml_list(json.dumps([
                        {"objectName": key, "secretPath": f"{cfg.vault.kv_mount}/data/{facts.AGENT_TLS_PATH}", "secretKey": key}
                        for key in ("tls.crt", "tls.key", "ca.crt")
                    ])),
                },
            },
            opts=dep(n.node_logs_ns),
        )
        # The agent reads container logs from the node (read-only hostPath) and sends them to the
        # collector over mutual TLS with its own client certificate from Vault.
        log_dirs = ["/var/log/pods"] + (["/var/log/kubernetes/audit"] if cfg.target.kind == "kind" else [])
        self._collector(
            name, cfg, n.node_logs_ns, facts.COLLECTOR_AGENT_NAME, "daemonset",
            agent_config(cfg, [n.gateway_ns, n.serving_ns, n.vault_ns], n.collector_endpoint), dep(n.node_logs_ns, agent_spc),
            ports=(),
            values={
                "securityContext": {**RESTRICTED_CONTAINER, "runAsUser": 0, "runAsNonRoot": False},
                "tolerations": [{"operator": "Exists"}],
                "extraVolumes": [{"name": f"logs-{i}", "hostPath": {"path": d, "type": "Directory"}} for i, d in enumerate(log_dirs)]
                + [{"name": "tls", "csi": {"driver": "secrets-store.csi.k8s.io", "readOnly": True, "volumeAttributes": {"secretProviderClass": AGENT_SECRETS}}}],
                "extraVolumeMounts": [{"name": f"logs-{i}", "mountPath": d, "readOnly": True} for i, d in enumerate(log_dirs)]
                + [{"name": "tls", "mountPath": TLS_DIR, "readOnly": True}],
            },
        )
        if not cfg.preinstalled.prometheus:
            self._prometheus(name, cfg, dep(facts.METRICS_NAMESPACE))
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

    def _prometheus(self, name: str, cfg: StackConfig, opts: pulumi.ResourceOptions) -> None:
        """No Prometheus in the cluster: the Prometheus Operator (its CRDs included) and one Prometheus
        that selects every ServiceMonitor and PrometheusRule, for the alerts and KEDA's triggers.
        Nothing else of the stack chart: no Grafana, Alertmanager, exporters or default rules."""

        def image(key: str) -> dict:
            return {"registry": cfg.mirror.image_registry, "repository": cfg.mirror.images[key].repository, "tag": mirror_image(cfg, key)["tag"]}

        off = {"enabled": False}
        mirror_chart(
            f"{name}-prometheus",
            cfg,
            "kube-prometheus-stack",
            namespace=facts.METRICS_NAMESPACE,
            release=facts.PROMETHEUS_RELEASE,
            values={
                "fullnameOverride": facts.PROMETHEUS_RELEASE,
                "defaultRules": {"create": False},
                "alertmanager": off, "grafana": off, "kubeStateMetrics": off, "nodeExporter": off, "windowsMonitoring": off,
                "kubernetesServiceMonitors": off, "kubeApiServer": off, "kubelet": off, "kubeControllerManager": off, "coreDns": off,
                "kubeDns": off, "kubeEtcd": off, "kubeScheduler": off, "kubeProxy": off,
                "prometheusOperator": {
                    # No admission webhook: it needs a certificate Job with a public image, and the kit's rules are checked at plan time.
                    "admissionWebhooks": {"enabled": False},
                    "tls": {"enabled": False},
                    "image": image("prometheus-operator"),
                    "prometheusConfigReloader": {"image": image("prometheus-config-reloader")},
                },
                "prometheus": {
                    "prometheusSpec": {
                        "image": image("prometheus"),
                        "serviceMonitorSelectorNilUsesHelmValues": False,
                        "ruleSelectorNilUsesHelmValues": False,
                        "podMonitorSelectorNilUsesHelmValues": False,
                        "probeSelectorNilUsesHelmValues": False,
                        "scrapeConfigSelectorNilUsesHelmValues": False,
                        "retention": "15d",
                    }
                },
            },
            opts=opts,
        )

    def _collector(self, name: str, cfg: StackConfig, namespace: str, release: str, mode: str, config: dict,
                   opts: pulumi.ResourceOptions, *, ports: tuple[str, ...], values: dict) -> None:
        """One opentelemetry-collector release with exactly the kit's configuration.

        alternateConfig replaces the chart's default configuration instead of merging into it (the
        defaults add jaeger, zipkin and prometheus receivers); every default port is off unless
        named in ``ports`` (the chart opens them as hostPorts on daemonsets). The service account
        is the kit's own, with token automount off (the chart cannot turn it off on the account).
        """
        sa = k8s.core.v1.ServiceAccount(
            f"{name}-{release}-sa",
            metadata={"name": release, "namespace": namespace, "labels": {"app.kubernetes.io/part-of": "privllm"}},
            automount_service_account_token=False,
            opts=opts,
        )
        chart_ports = {p: {"enabled": p in ports} for p in COLLECTOR_CHART_PORTS} | values.pop("ports", {})
        mirror_chart(
            f"{name}-{release}",
            cfg,
            "opentelemetry-collector",
            namespace=namespace,
            release=release,
            values={
                "fullnameOverride": release,
                "nameOverride": release,
                "mode": mode,
                "image": mirror_image(cfg, "otel-collector"),
                "command": {"name": "otelcol-contrib"},
                "alternateConfig": config,
                "securityContext": RESTRICTED_CONTAINER,
                "serviceAccount": {"create": False, "name": release, "automountServiceAccountToken": False},
                "ports": chart_ports,
                **values,
            },
            opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[sa])),
        )

    def _siem_standin(self, name: str, cfg: StackConfig, ns) -> None:
        """kind only: a stand-in for the organisation's SIEM, so the audit path can be tested end to end."""

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
        self._collector(
            name, cfg, SIEM_STANDIN_NS, facts.SIEM_STANDIN_NAME, "deployment", _siem_standin_config(),
            pulumi.ResourceOptions(parent=self, depends_on=([ns] if ns else []) + [spc]),
            ports=(),
            values={
                "extraVolumes": [{"name": "tls", "csi": {"driver": "secrets-store.csi.k8s.io", "readOnly": True, "volumeAttributes": {"secretProviderClass": "siem-standin-tls"}}}],
                "extraVolumeMounts": [{"name": "tls", "mountPath": TLS_DIR, "readOnly": True}],
                "ports": {"syslog": {"enabled": True, "containerPort": facts.SYSLOG_TLS_PORT, "servicePort": facts.SYSLOG_TLS_PORT, "protocol": "TCP"}},
            },
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
