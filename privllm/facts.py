"""The facts every part of privllm shares, each defined once (standard library only).

Python imports these; charts receive them as values from the program (infra/values.py);
Rego receives the tables it needs as the ``data.privllm.params`` document (:func:`rego_params`).
A test per fact (tests/contracts/test_facts.py) fails when a literal is repeated elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

PROJECT = "privllm"

# ---------------------------------------------------------------- namespaces
# Each namespace is "<stack namespace>-<suffix>" (privllm.stack.naming.Names builds the full names).
NAMESPACE_SUFFIXES = MappingProxyType(
    {
        "gateway": "gateway",
        "serving": "serving",
        "vault": "vault",
        "observability": "observability",
        "gpu": "gpu",
        "node_logs": "node-logs",
        "csi": "csi",
        "keda": "keda",
        "policy": "policy",
        "siem": "siem",  # kind stack only: the SIEM stand-in
    }
)
# Prometheus: the organisation's (the stack's preinstalled.prometheus) or, without one, the kit's own.
METRICS_NAMESPACE = "monitoring"
PROMETHEUS_RELEASE = "prometheus"

# ---------------------------------------------------------------- releases and services
GATEWAY_RELEASE = "llm-gateway"
VLLM_RELEASE_SUFFIX = "-vllm-server"  # "<model>-vllm-server": release, service and service account
COLLECTOR_NAME = "otel-collector"
COLLECTOR_AGENT_NAME = "otel-agent"  # the node log agent: release, DaemonSet and service account
SIEM_STANDIN_NAME = "siem-standin"
VAULT_SERVICE = "vault"
CA_CONFIGMAP = "privllm-ca"
GPU_RUNTIME_CLASS = "nvidia"  # RuntimeClass of GPU pods; its handler is the node's NVIDIA container runtime

# Files inside the gateway's pod: the chart mounts each at the directory of the path the program sets.
GATEWAY_CA_FILE = "/etc/privllm-ca/ca.crt"
GATEWAY_VAULT_TOKEN_FILE = "/var/run/secrets/privllm/vault-token/token"
GATEWAY_AUDIT_SPOOL_DIR = "/var/spool/privllm-audit"  # the audit spool volume in the gateway pod
GATEWAY_REDIS_PASSWORD_FILE = "/var/run/secrets/privllm/redis/redis-password"

# Scheduling priority: the gateway above the model servers (without it no model is reachable).
PRIORITY_CLASS_GATEWAY = "privllm-gateway"
PRIORITY_CLASS_SERVING = "privllm-serving"

# ---------------------------------------------------------------- ports
GATEWAY_PORT = 8080
VLLM_PORT = 8000
VLLM_METRICS_PORT = 8001  # the metrics sidecar: GET /metrics and /health only (the API port is the gateway's)
OTLP_GRPC_PORT = 4317
OTLP_HTTP_PORT = 4318
VAULT_PORT = 8200
VAULT_CLUSTER_PORT = 8201
REDIS_PORT = 6379
PROMETHEUS_PORT = 9090
COLLECTOR_METRICS_PORT = 8888  # the collector's own telemetry (Prometheus pull)
SYSLOG_TLS_PORT = 6514  # RFC 5425 syslog over TLS (the SIEM stand-in)
KUBERNETES_API_PORT = 443

# ---------------------------------------------------------------- label keys
LABEL_NAME = "app.kubernetes.io/name"
LABEL_PART_OF = "app.kubernetes.io/part-of"
LABEL_GPU_POOL = "privllm.io/gpu-pool"
LABEL_NAMESPACE_NAME = "kubernetes.io/metadata.name"
LABEL_GATEKEEPER_IGNORE = "admission.gatekeeper.sh/ignore"


# ---------------------------------------------------------------- Vault layout
VAULT_KV_MOUNT = "privllm"  # default of the stack's vault.kv_mount
VAULT_TRANSIT_MOUNT = "transit"
VAULT_TRANSIT_KEY = "privllm-prompts"  # default of the stack's vault.transit_key
VAULT_KUBERNETES_AUTH = "kubernetes"
VAULT_TOKEN_AUDIENCE = "vault"  # the audience of the projected service-account tokens Vault reviews
VAULT_ROLE_TTL = "1h"
VAULT_AUDIT_DEVICE = "privllm"

# KV paths, relative to the KV mount.
KEYRING_PATH = "gateway/keyring"
REDIS_PASSWORD_PATH = "gateway/redis"
VLLM_API_KEY_PATH = "vllm/api-key"
TELEMETRY_PATH = "telemetry"
COLLECTOR_TLS_PATH = f"{TELEMETRY_PATH}/collector-tls"
SIEM_STANDIN_TLS_PATH = f"{TELEMETRY_PATH}/siem-standin-tls"
AGENT_TLS_PATH = f"{TELEMETRY_PATH}/agent-tls"  # the node agent's client certificate for the collector


@dataclass(frozen=True)
class VaultGrant:
    """One ``path`` stanza of a policy. ``path`` may name {kv} (the KV mount) and {transit_key}."""

    path: str
    capabilities: tuple[str, ...]


@dataclass(frozen=True)
class VaultPolicy:
    name: str
    grants: tuple[VaultGrant, ...]

    def hcl(self, kv_mount: str, transit_key: str) -> str:
        lines = []
        for grant in self.grants:
            caps = ", ".join(f'"{c}"' for c in grant.capabilities)
            lines.append(f'path "{grant.path.format(kv=kv_mount, transit_key=transit_key)}" {{ capabilities = [{caps}] }}\n')
        return "".join(lines)


@dataclass(frozen=True)
class VaultRole:
    """A Kubernetes auth role: which service accounts of which namespace get which policy.

    ``service_accounts`` empty means one per served model ("<model>-vllm-server").
    """

    name: str
    policy: str
    namespace: str  # a NAMESPACE_SUFFIXES key
    service_accounts: tuple[str, ...]
    kind_only: bool = False  # exists only on the kind target (stand-ins)


_READ = ("read",)
VAULT_POLICIES = MappingProxyType(
    {
        p.name: p
        for p in (
            VaultPolicy(
                "privllm-gateway",
                (
                    VaultGrant(f"{{kv}}/data/{KEYRING_PATH}", _READ),
                    VaultGrant(f"{{kv}}/data/{REDIS_PASSWORD_PATH}", _READ),
                    VaultGrant(f"{VAULT_TRANSIT_MOUNT}/encrypt/{{transit_key}}", ("update",)),
                ),
            ),
            VaultPolicy("privllm-vllm", (VaultGrant("{kv}/data/vllm/*", _READ),)),
            VaultPolicy("privllm-otel-collector", (VaultGrant(f"{{kv}}/data/{TELEMETRY_PATH}/*", _READ),)),
            VaultPolicy("privllm-siem-standin", (VaultGrant(f"{{kv}}/data/{SIEM_STANDIN_TLS_PATH}", _READ),)),
            VaultPolicy("privllm-otel-agent", (VaultGrant(f"{{kv}}/data/{AGENT_TLS_PATH}", _READ),)),
            VaultPolicy(
                "privllm-keys-admin",
                (
                    VaultGrant(f"{{kv}}/data/{KEYRING_PATH}", ("create", "read", "update")),
                    VaultGrant(f"{{kv}}/metadata/{KEYRING_PATH}", _READ),
                ),
            ),
        )
    }
)
VAULT_ROLES = MappingProxyType(
    {
        r.name: r
        for r in (
            VaultRole("llm-gateway", "privllm-gateway", "gateway", (GATEWAY_RELEASE,)),
            VaultRole("vllm", "privllm-vllm", "serving", ()),
            VaultRole("otel-collector", "privllm-otel-collector", "observability", (COLLECTOR_NAME,)),
            VaultRole("otel-agent", "privllm-otel-agent", "node_logs", (COLLECTOR_AGENT_NAME,)),
            VaultRole("siem-standin", "privllm-siem-standin", "siem", (SIEM_STANDIN_NAME,), kind_only=True),
        )
    }
)
# CI's AppRole: short-lived tokens that may only administer API keys.
VAULT_CI_APPROLE = "privllm-ci"
VAULT_CI_POLICY = "privllm-keys-admin"

# ---------------------------------------------------------------- images and charts
# Upstream release tags; the mirroring step copies each into the mirror and records its digest.
IMAGE_PINS = MappingProxyType(
    {
        "vllm": ("vllm/vllm-openai", "v0.33.0"),  # serving/vllm/cli_table.json is read from this release (a test ties them)
        "gateway": ("privllm/llm-gateway", "0.1.0"),
        "vllm-standin": ("privllm/vllm-standin", "0.1.0"),
        "redis": ("library/redis", "7.4.1"),
        # Third-party images at the versions their pinned charts (CHART_PINS) were released with.
        "otel-collector": ("otel/opentelemetry-collector-contrib", "0.158.0"),
        "nvidia-device-plugin": ("nvidia/k8s-device-plugin", "v0.20.0"),
        "keda": ("kedacore/keda", "2.20.2"),
        "keda-metrics-apiserver": ("kedacore/keda-metrics-apiserver", "2.20.2"),
        "keda-admission-webhooks": ("kedacore/keda-admission-webhooks", "2.20.2"),
        "gatekeeper": ("openpolicyagent/gatekeeper", "v3.23.0"),
        "gatekeeper-crds": ("openpolicyagent/gatekeeper-crds", "v3.23.0"),
        "gatekeeper-probe": ("curlimages/curl", "8.20.0"),  # Gatekeeper's post-install webhook probe
        "vault": ("hashicorp/vault", "2.0.4"),
        "vault-csi-provider": ("hashicorp/vault-csi-provider", "1.7.4"),
        "secrets-store-csi-driver": ("csi-secrets-store/driver", "v1.6.0"),
        "secrets-store-csi-driver-crds": ("csi-secrets-store/driver-crds", "v1.6.0"),  # its CRD hook Jobs
        "csi-node-driver-registrar": ("sig-storage/csi-node-driver-registrar", "v2.16.0"),
        "csi-livenessprobe": ("sig-storage/livenessprobe", "v2.18.0"),
        "lws": ("lws/lws", "v0.10.0"),
        # The kit's Prometheus (operator and one server) when the stack names no existing one.
        "prometheus-operator": ("prometheus-operator/prometheus-operator", "v0.93.1"),
        "prometheus-config-reloader": ("prometheus-operator/prometheus-config-reloader", "v0.93.1"),
        "prometheus": ("prometheus/prometheus", "v3.14.0-distroless"),
        # eks target: GPU pools that scale from zero; the gateway's internal NLB.
        "cluster-autoscaler": ("autoscaling/cluster-autoscaler", "v1.33.0"),
        "aws-load-balancer-controller": ("eks/aws-load-balancer-controller", "v2.13.0"),
        # eks target, GPU pools with efa: true: advertises vpc.amazonaws.com/efa to the kubelet.
        "aws-efa-k8s-device-plugin": ("eks/aws-efa-k8s-device-plugin", "v0.5.20"),
    }
)
# Third-party charts, by chart name: the version the kit renders and was checked with
# (rendered with the kit's values by tests/infra/test_real_charts.py when a chart cache is present).
CHART_PINS = MappingProxyType(
    {
        "keda": "2.20.2",
        "gatekeeper": "3.23.0",
        "vault": "0.34.1",
        "nvidia-device-plugin": "0.20.0",
        "opentelemetry-collector": "0.170.0",
        "secrets-store-csi-driver": "1.6.0",
        "lws": "0.10.0",
        "kube-prometheus-stack": "88.5.3",
        "cluster-autoscaler": "9.47.0",  # app 1.33.0
        "aws-load-balancer-controller": "1.13.0",  # app v2.13.0
        "aws-efa-k8s-device-plugin": "v0.5.30",  # app v0.5.20; upstream versions this chart with a leading "v"
    }
)

# Registries that an air-gapped stack must never name: they are on the internet.
PUBLIC_REGISTRIES = (
    "docker.io",
    "registry-1.docker.io",
    "index.docker.io",
    "ghcr.io",
    "quay.io",
    "gcr.io",
    "registry.k8s.io",
    "k8s.gcr.io",
    "nvcr.io",
    "public.ecr.aws",
    "mcr.microsoft.com",
    "huggingface.co",
    "hf.co",
)

# ---------------------------------------------------------------- data handling (layer 2)
DATA_CLASSES = ("public", "internal", "confidential", "restricted")
PROMPT_LOGGING_MODES = ("never", "hash", "redacted")
# Prompt logging modes each data classification tolerates.
ALLOWED_PROMPT_LOGGING = MappingProxyType(
    {
        "public": ("never", "hash", "redacted"),
        "internal": ("never", "hash", "redacted"),
        "confidential": ("never", "hash"),
        "restricted": ("never",),
    }
)

# ---------------------------------------------------------------- gateway metrics
# Prometheus names as exported (counters gain "_total" on the wire: see METRIC_SERIES).
METRIC_REQUESTS = "privllm_gateway_requests"
METRIC_REQUEST_DURATION = "privllm_gateway_request_duration_seconds"
METRIC_GUARD_BLOCKS = "privllm_gateway_guard_blocks"
METRIC_GUARD_REDACTIONS = "privllm_gateway_guard_redactions"
METRIC_RATE_LIMITED = "privllm_gateway_rate_limited"
METRIC_UPSTREAM_INFLIGHT = "privllm_gateway_upstream_inflight"
METRIC_PENDING_REQUESTS = "privllm_gateway_pending_requests"  # held while a model scales up from zero; KEDA wakes on it
METRIC_UPSTREAM_CIRCUIT_OPEN = "privllm_gateway_upstream_circuit_open"
METRIC_TOKENS = "privllm_gateway_tokens"
METRIC_AUDIT_DROPPED = "privllm_gateway_audit_dropped_total"
METRIC_AUDIT_QUEUE_SIZE = "privllm_gateway_audit_queue_size"
METRIC_KEYSTORE_STALE = "privllm_gateway_keystore_stale_seconds"
METRIC_REVIEWS_PENDING = "privllm_gateway_reviews_pending"
METRIC_OUTPUT_TOKENS = "privllm_gateway_output_tokens"
METRIC_MODEL_REFUSALS = "privllm_gateway_model_refusals"
METRIC_CERT_EXPIRY = "privllm_gateway_tls_certificate_expiry_timestamp_seconds"
METRIC_RATELIMIT_STORE_UP = "privllm_gateway_ratelimit_store_up"
METRIC_RATELIMIT_STORE_ERRORS = "privllm_gateway_ratelimit_store_errors"
METRIC_CONNECTIONS_REFUSED = "privllm_gateway_connections_refused"
# vLLM's own metric the time-to-first-token objective is measured on.
VLLM_METRIC_TTFT = "vllm:time_to_first_token_seconds"

# ---------------------------------------------------------------- thresholds
# Time to first token: a bucket boundary vLLM exports (its histogram has 1.0 and 2.5, not 2).
TTFT_OBJECTIVE_SECONDS = 2.5
TTFT_SLO = 0.99  # share of requests with a first token within the objective
# Multi-window burn rates (Google SRE workbook): 2% of a 30-day budget in 1 h, 5% in 6 h.
BURN_RATE_FAST = 14.4  # windows 1h and 5m
BURN_RATE_SLOW = 6.0  # windows 6h and 30m
BURN_WINDOWS_FAST = ("1h", "5m")
BURN_WINDOWS_SLOW = ("6h", "30m")
# The gateway re-reads its keyring this often, and fails closed after this much staleness.
KEY_CACHE_TTL_SECONDS = 30
KEY_MAX_STALE_SECONDS = 300
# Alert on a stale key store well before the gateway fails closed (must stay below the above).
KEY_STALE_ALERT_SECONDS = 120


def rego_params() -> dict[str, Any]:
    """The ``data.privllm.params`` document: the tables the Rego policies read instead of literals."""
    return {
        "public_registries": list(PUBLIC_REGISTRIES),
        "allowed_prompt_logging": {k: list(v) for k, v in ALLOWED_PROMPT_LOGGING.items()},
        "prompt_logging_modes": list(PROMPT_LOGGING_MODES),
        "data_classes": list(DATA_CLASSES),
        "ports": {"vllm": VLLM_PORT, "gateway": GATEWAY_PORT, "otlp_grpc": OTLP_GRPC_PORT, "otlp_http": OTLP_HTTP_PORT, "vault": VAULT_PORT},
        "namespace_suffixes": dict(NAMESPACE_SUFFIXES),
    }
