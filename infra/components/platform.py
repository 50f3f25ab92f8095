"""Platform: namespaces at Pod Security "restricted" (node agents apart, with the reason),
default-deny NetworkPolicies plus the explicit flows the design needs, quotas, priority
classes, and least-privilege RBAC bound to the stack's groups."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from privllm import facts
from privllm.facts import COLLECTOR_METRICS_PORT, OTLP_GRPC_PORT, OTLP_HTTP_PORT, PROMETHEUS_PORT, VAULT_CLUSTER_PORT, VAULT_PORT
from privllm.infra.values import external_vault_cidr, vault_port
from privllm.stack import StackConfig
from privllm.stack.naming import METRICS_NAMESPACE, Names, names

PSA = "pod-security.kubernetes.io"
READ = ["get", "list", "watch"]
WORKLOAD_RESOURCES = ["pods", "services", "endpoints", "configmaps", "events", "persistentvolumeclaims", "serviceaccounts"]


@dataclass
class PlatformArgs:
    cfg: StackConfig


def _meta(name: str, namespace: str | None = None, **extra) -> k8s.meta.v1.ObjectMetaArgs:
    labels = {"app.kubernetes.io/part-of": "privllm", "app.kubernetes.io/managed-by": "pulumi"}
    labels.update(extra.pop("labels", {}))
    return k8s.meta.v1.ObjectMetaArgs(name=name, namespace=namespace, labels=labels, **extra)


def _ns_peer(namespace: str) -> dict:
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}}}


def _tcp(*ports: int) -> list[dict]:
    return [{"protocol": "TCP", "port": p} for p in ports]


class Platform(pulumi.ComponentResource):
    namespaces: dict[str, k8s.core.v1.Namespace]

    def __init__(self, name: str, args: PlatformArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("privllm:platform:Platform", name, None, opts)
        cfg = args.cfg
        n = names(cfg)
        self._child = pulumi.ResourceOptions(parent=self)
        self.namespaces = {}
        restricted = list(n.workload_namespaces) + ([n.siem_standin_ns] if cfg.target.kind == "kind" else [])
        if not cfg.preinstalled.prometheus:
            restricted.append(METRICS_NAMESPACE)  # the kit runs its own Prometheus there
        for ns in restricted:
            self._namespace(ns, "restricted", None)
        for ns, reason in n.node_agent_namespaces.items():
            # Gatekeeper exempts these (controllerManager.exemptNamespaces) and, fail-closed, must not be
            # asked about them: the label keeps its webhook away, so node agents start even when it is down.
            self._namespace(ns, "privileged", reason, {facts.LABEL_GATEKEEPER_IGNORE: "true"})
        for ns in self.namespaces:
            self._default_deny(ns)
        self._flows(cfg, n)
        for ns in (n.gateway_ns, n.serving_ns):
            self._quota(cfg, ns)
        self._priority_classes()
        if cfg.gpu_pools and cfg.prerequisites is None:
            # GPU pods run under the node's NVIDIA container runtime (the GPU AMIs configure it in
            # containerd). An existing cluster states its own RuntimeClass (privllm:prerequisites).
            k8s.node.v1.RuntimeClass(
                facts.GPU_RUNTIME_CLASS, metadata=_meta(facts.GPU_RUNTIME_CLASS), handler=facts.GPU_RUNTIME_CLASS, opts=self._child
            )
        for ns in (n.gateway_ns, n.observability_ns):
            k8s.core.v1.ConfigMap(
                f"{ns}-privllm-ca", metadata=_meta("privllm-ca", ns), data={"ca.crt": cfg.internal_ca}, opts=self._opts(self.namespaces[ns])
            )
        self._rbac(cfg, n)
        self.register_outputs({"namespaces": list(self.namespaces)})

    # -------------------------------------------------------------- namespaces
    def _opts(self, *deps: pulumi.Resource) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, depends_on=list(deps))

    def _namespace(self, ns: str, level: str, reason: str | None, extra_labels: dict | None = None) -> None:
        labels = {f"{PSA}/enforce": level, f"{PSA}/enforce-version": "latest", **(extra_labels or {})}
        # Audit and warn at restricted everywhere, so a privileged namespace still reports what it does.
        labels.update({f"{PSA}/audit": "restricted", f"{PSA}/warn": "restricted"})
        annotations = {"privllm.io/pod-security-reason": reason} if reason else None
        self.namespaces[ns] = k8s.core.v1.Namespace(
            ns, metadata=_meta(ns, labels=labels, annotations=annotations), opts=self._child
        )

    def _netpol(self, ns: str, name: str, spec: dict) -> None:
        k8s.networking.v1.NetworkPolicy(
            f"{ns}-{name}", metadata=_meta(name, ns), spec=spec, opts=self._opts(self.namespaces[ns])
        )

    def _default_deny(self, ns: str) -> None:
        self._netpol(ns, "default-deny", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})
        self._netpol(
            ns,
            "allow-dns",
            {
                "podSelector": {},
                "policyTypes": ["Egress"],
                "egress": [
                    {
                        "to": [
                            {
                                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                                "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                            }
                        ],
                        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
                    }
                ],
            },
        )

    def _flows(self, cfg: StackConfig, n: Names) -> None:
        """Cross-namespace flows that no chart owns. Chart-owned flows live in the charts."""
        api_server = [{"ipBlock": {"cidr": cfg.network.vpc_cidr}}]
        if cfg.vault.mode == "in-cluster":
            self._netpol(
                n.vault_ns,
                "vault-clients",
                {
                    "podSelector": {"matchLabels": {"app.kubernetes.io/name": "vault"}},
                    "policyTypes": ["Ingress", "Egress"],
                    "ingress": [
                        {"from": [_ns_peer(n.gateway_ns), _ns_peer(n.csi_ns)], "ports": _tcp(VAULT_PORT)},
                        {"from": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "vault"}}}], "ports": _tcp(VAULT_CLUSTER_PORT)},
                    ],
                    # Raft peers, TokenReview calls to the API server and KMS auto-unseal (VPC endpoint).
                    "egress": [
                        {"to": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "vault"}}}], "ports": _tcp(VAULT_PORT, VAULT_CLUSTER_PORT)},
                        {"to": api_server, "ports": _tcp(443)},
                    ],
                },
            )
            self._netpol(
                n.csi_ns,
                "csi-provider",
                {
                    "podSelector": {"matchLabels": {"app.kubernetes.io/name": "vault-csi-provider"}},
                    "policyTypes": ["Egress"],
                    "egress": [{"to": [_ns_peer(n.vault_ns)], "ports": _tcp(VAULT_PORT)}],
                },
            )
        elif external_vault_cidr(cfg):
            self._netpol(
                n.csi_ns,
                "csi-provider",
                {
                    "podSelector": {"matchLabels": {"app.kubernetes.io/name": "vault-csi-provider"}},
                    "policyTypes": ["Egress"],
                    "egress": [{"to": [{"ipBlock": {"cidr": external_vault_cidr(cfg)}}], "ports": _tcp(vault_port(cfg))}],
                },
            )
        siem_ports = {int(s.endpoint.rsplit(":", 1)[1]) for s in cfg.telemetry.siem}
        siem_egress = [
            {"to": [{"ipBlock": {"cidr": d.cidr}}], "ports": _tcp(*sorted(siem_ports & set(d.ports)))}
            for d in cfg.network.egress
            if siem_ports & set(d.ports)
        ]
        self._netpol(
            n.observability_ns,
            "collector",
            {
                "podSelector": {"matchLabels": {"app.kubernetes.io/name": "otel-collector"}},
                "policyTypes": ["Ingress", "Egress"],
                "ingress": [
                    {"from": [_ns_peer(n.gateway_ns), _ns_peer(n.node_logs_ns)], "ports": _tcp(OTLP_GRPC_PORT, OTLP_HTTP_PORT)},
                    {"from": [_ns_peer(METRICS_NAMESPACE)], "ports": _tcp(COLLECTOR_METRICS_PORT)},
                ],
                "egress": siem_egress,
            },
        )
        self._netpol(
            n.node_logs_ns,
            "log-agent",
            {
                "podSelector": {"matchLabels": {"app.kubernetes.io/name": "otel-agent"}},
                "policyTypes": ["Egress"],
                "egress": [{"to": [_ns_peer(n.observability_ns)], "ports": _tcp(OTLP_GRPC_PORT)}],
            },
        )
        self._netpol(
            n.keda_ns,
            "keda",
            {
                "podSelector": {},
                "policyTypes": ["Ingress", "Egress"],
                "ingress": [{"from": api_server, "ports": _tcp(6443, 9443)}],
                "egress": [{"to": api_server, "ports": _tcp(443)}, {"to": [_ns_peer(METRICS_NAMESPACE)], "ports": _tcp(PROMETHEUS_PORT)}],
            },
        )
        if not cfg.preinstalled.prometheus:
            # The kit's Prometheus (operator and server; the operator creates the server's pods at run time).
            self._netpol(
                METRICS_NAMESPACE,
                "prometheus",
                {
                    "podSelector": {},
                    "policyTypes": ["Ingress", "Egress"],
                    "ingress": [{"from": [_ns_peer(n.keda_ns)], "ports": _tcp(PROMETHEUS_PORT)}],
                    "egress": [
                        {"to": api_server, "ports": _tcp(443)},
                        {"to": [_ns_peer(n.gateway_ns)], "ports": _tcp(facts.GATEWAY_PORT)},
                        {"to": [_ns_peer(n.serving_ns)], "ports": _tcp(facts.VLLM_PORT)},
                        {"to": [_ns_peer(n.observability_ns)], "ports": _tcp(COLLECTOR_METRICS_PORT)},
                    ],
                },
            )
        self._netpol(
            n.policy_ns,
            "gatekeeper",
            {
                "podSelector": {},
                "policyTypes": ["Ingress", "Egress"],
                "ingress": [{"from": api_server, "ports": _tcp(8443)}],
                "egress": [{"to": api_server, "ports": _tcp(443)}],
            },
        )

    def _quota(self, cfg: StackConfig, ns: str) -> None:
        gpus = sum(p.gpus_per_node * p.max_nodes for p in cfg.gpu_pools)
        hard = {"pods": "200", "services.loadbalancers": "0", "services.nodeports": "0"}
        if ns.endswith("-" + facts.NAMESPACE_SUFFIXES["serving"]):
            hard["requests.nvidia.com/gpu"] = str(gpus)
        k8s.core.v1.ResourceQuota(f"{ns}-quota", metadata=_meta("privllm-quota", ns), spec={"hard": hard}, opts=self._opts(self.namespaces[ns]))
        k8s.core.v1.LimitRange(
            f"{ns}-limits",
            metadata=_meta("privllm-defaults", ns),
            spec={
                "limits": [
                    {
                        "type": "Container",
                        "default": {"cpu": "1", "memory": "1Gi"},
                        "defaultRequest": {"cpu": "100m", "memory": "128Mi"},
                    }
                ]
            },
            opts=self._opts(self.namespaces[ns]),
        )

    def _priority_classes(self) -> None:
        for name, value, description in (
            (facts.PRIORITY_CLASS_GATEWAY, 100000, "The gateway: without it no model is reachable."),
            (facts.PRIORITY_CLASS_SERVING, 90000, "Model servers: preempt batch work, not the gateway."),
        ):
            k8s.scheduling.v1.PriorityClass(
                name, metadata=_meta(name), value=value, global_default=False, preemption_policy="PreemptLowerPriority", description=description, opts=self._child
            )

    # -------------------------------------------------------------- RBAC
    def _rbac(self, cfg: StackConfig, n: Names) -> None:
        rules = {
            # Operates models: scale, roll, pause. No secrets, no exec, no RBAC changes.
            "privllm-model-operator": [
                {"apiGroups": ["apps"], "resources": ["deployments", "deployments/scale"], "verbs": [*READ, "update", "patch"]},
                {"apiGroups": ["leaderworkerset.x-k8s.io"], "resources": ["leaderworkersets", "leaderworkersets/scale"], "verbs": [*READ, "update", "patch"]},
                {"apiGroups": ["keda.sh"], "resources": ["scaledobjects"], "verbs": [*READ, "update", "patch"]},
                {"apiGroups": [""], "resources": ["pods", "pods/log", "services", "events", "configmaps"], "verbs": READ},
            ],
            # Reads everything that describes the deployment, never a secret.
            "privllm-auditor": [
                {"apiGroups": [""], "resources": WORKLOAD_RESOURCES + ["namespaces", "resourcequotas", "limitranges"], "verbs": READ},
                {"apiGroups": ["apps"], "resources": ["deployments", "daemonsets", "statefulsets", "replicasets"], "verbs": READ},
                {"apiGroups": ["networking.k8s.io"], "resources": ["networkpolicies"], "verbs": READ},
                {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles", "rolebindings", "clusterroles", "clusterrolebindings"], "verbs": READ},
                {"apiGroups": ["policy"], "resources": ["poddisruptionbudgets"], "verbs": READ},
                {"apiGroups": ["monitoring.coreos.com"], "resources": ["servicemonitors", "prometheusrules"], "verbs": READ},
                {"apiGroups": ["keda.sh"], "resources": ["scaledobjects"], "verbs": READ},
                {"apiGroups": ["templates.gatekeeper.sh"], "resources": ["constrainttemplates"], "verbs": READ},
            ],
            # Application teams find the gateway; they call it with an API key, not Kubernetes rights.
            "privllm-app-client": [
                {"apiGroups": [""], "resources": ["services", "endpoints"], "verbs": READ},
            ],
        }
        for role, role_rules in rules.items():
            k8s.rbac.v1.ClusterRole(role, metadata=_meta(role), rules=role_rules, opts=self._child)
        bindings = (
            ("privllm-model-operator", cfg.rbac.model_operator, [n.serving_ns]),
            ("privllm-app-client", cfg.rbac.app_client, [n.gateway_ns]),
            ("privllm-auditor", cfg.rbac.auditor, list(n.all_namespaces)),
            # Namespaced admin of the kit's namespaces, not cluster-admin.
            ("admin", cfg.rbac.platform_admin, list(n.all_namespaces)),
        )
        for role, groups, namespaces in bindings:
            if not groups:
                continue
            for ns in namespaces:
                binding = f"{role.removeprefix('privllm-')}-binding" if role != "admin" else "platform-admin-binding"
                k8s.rbac.v1.RoleBinding(
                    f"{ns}-{binding}",
                    metadata=_meta(binding, ns),
                    role_ref={"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
                    subjects=[{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": g} for g in groups],
                    opts=self._opts(self.namespaces[ns]),
                )
