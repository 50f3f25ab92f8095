"""OpenTelemetry Collector (contrib) configuration generated from StackConfig.

Two collectors: an agent DaemonSet that tails the kit's container logs on every node,
and a gateway that receives OTLP (from the agents and the llm-gateway), redacts, batches,
and exports to every SIEM destination with a persistent (file_storage) sending queue,
so a SIEM outage delays delivery instead of losing records.
"""

from __future__ import annotations

from privllm.facts import COLLECTOR_METRICS_PORT, OTLP_GRPC_PORT, OTLP_HTTP_PORT
from privllm.stack import StackConfig
from privllm.stack.model import SiemDestination

TLS_DIR = "/etc/otelcol/tls"
QUEUE_DIR = "/var/lib/otelcol/queue"
SECRETS_DIR = "/var/run/secrets/privllm"

# Values that must never reach the SIEM even if an application logs them by mistake.
BLOCKED_VALUES = [
    r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b",  # e-mail addresses
    r"\b(?:\d[ -]?){13,19}\b",  # payment card numbers
    r"\bAKIA[0-9A-Z]{16}\b",  # AWS access key ids
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----",  # private keys
    r"\bsk-[A-Za-z0-9_-]{20,}\b",  # bearer-style API keys (privllm keys too)
]
# Audit attributes that carry content; dropped unless the data policy keeps a hash or redacted text.
CONTENT_ATTRIBUTES = ["gen_ai.prompt", "gen_ai.completion", "privllm.prompt", "privllm.completion"]


def _queue(cfg: StackConfig) -> dict:
    return {"enabled": True, "storage": "file_storage/queue", "queue_size": cfg.telemetry.queue_size, "num_consumers": 4}


def _retry() -> dict:
    # Keep retrying for an hour: the persistent queue holds records through a SIEM outage.
    return {"enabled": True, "initial_interval": "5s", "max_interval": "60s", "max_elapsed_time": "3600s"}


def _exporter(cfg: StackConfig, dest: SiemDestination) -> tuple[str, dict]:
    host, port = dest.endpoint.rsplit(":", 1)
    tls = {"insecure": False, "ca_file": f"{SECRETS_DIR}/{dest.ca_secret}/ca.crt", "min_version": "1.2"}
    common = {"sending_queue": _queue(cfg), "retry_on_failure": _retry()}
    if dest.protocol == "syslog-tls":
        return f"syslog/{dest.name}", {"endpoint": host, "port": int(port), "network": "tcp", "protocol": "rfc5424", "tls": tls, **common}
    if dest.protocol == "splunk-hec":
        return f"splunk_hec/{dest.name}", {
            "endpoint": f"https://{dest.endpoint}/services/collector",
            # The token is read from a file mounted from Vault (never an env var).
            "token": "${file:" + f"{SECRETS_DIR}/{dest.token_secret}/token" + "}",
            "source": "privllm",
            "sourcetype": "privllm:audit",
            "tls": tls,
            **common,
        }
    if dest.protocol == "otlp-http":
        return f"otlphttp/{dest.name}", {"endpoint": f"https://{dest.endpoint}", "tls": tls, **common}
    return f"otlp/{dest.name}", {"endpoint": dest.endpoint, "tls": tls, **common}


def gateway_config(cfg: StackConfig) -> dict:
    exporters = dict(_exporter(cfg, d) for d in cfg.telemetry.siem)
    processors = {
        "memory_limiter": {"check_interval": "1s", "limit_percentage": 80, "spike_limit_percentage": 20},
        "redaction": {"allow_all_keys": True, "blocked_values": BLOCKED_VALUES, "summary": "info"},
        "batch": {"send_batch_size": 1024, "timeout": "2s"},
    }
    chain = ["memory_limiter"]
    if cfg.data.prompt_logging == "never":
        processors["attributes/drop-content"] = {"actions": [{"key": k, "action": "delete"} for k in CONTENT_ATTRIBUTES]}
        chain.append("attributes/drop-content")
    chain += ["redaction", "batch"]
    tls_server = {"cert_file": f"{TLS_DIR}/tls.crt", "key_file": f"{TLS_DIR}/tls.key", "client_ca_file": f"{TLS_DIR}/ca.crt", "min_version": "1.2"}
    return {
        "extensions": {
            "health_check": {"endpoint": "0.0.0.0:13133"},
            "file_storage/queue": {"directory": QUEUE_DIR, "create_directory": False, "compaction": {"on_start": True, "directory": QUEUE_DIR}},
        },
        "receivers": {
            "otlp": {
                "protocols": {
                    "grpc": {"endpoint": f"0.0.0.0:{OTLP_GRPC_PORT}", "tls": tls_server},
                    "http": {"endpoint": f"0.0.0.0:{OTLP_HTTP_PORT}", "tls": tls_server},
                }
            }
        },
        "processors": processors,
        "exporters": exporters,
        "service": {
            "extensions": ["health_check", "file_storage/queue"],
            "telemetry": {"metrics": {"readers": [{"pull": {"exporter": {"prometheus": {"host": "0.0.0.0", "port": COLLECTOR_METRICS_PORT}}}}]}},
            "pipelines": {"logs": {"receivers": ["otlp"], "processors": chain, "exporters": sorted(exporters)}},
        },
    }


# Where the kind control plane writes API-server audit logs (infra/targets/kind/cluster.yaml).
# On EKS the control plane's audit logs go to CloudWatch Logs (control-plane logging).
KIND_API_AUDIT_LOG = "/var/log/kubernetes/audit/*.log"


def agent_config(cfg: StackConfig, namespaces: list[str], gateway_endpoint: str) -> dict:
    """The node agent. Records are attributed from the log file path by the container parser
    (k8s.namespace.name, k8s.pod.name, k8s.container.name); the k8sattributes processor would add
    labels but needs cluster-wide read access to pods, which the agent does not get."""
    include = [f"/var/log/pods/{ns}_*/*/*.log" for ns in namespaces]
    if cfg.target.kind == "kind":
        include.append(KIND_API_AUDIT_LOG)
    return {
        "extensions": {"health_check": {"endpoint": "0.0.0.0:13133"}},
        "receivers": {
            "filelog": {
                "include": include,
                "start_at": "end",
                "include_file_path": True,
                "operators": [{"type": "container", "id": "container-parser"}],
            }
        },
        "processors": {
            "memory_limiter": {"check_interval": "1s", "limit_percentage": 80, "spike_limit_percentage": 20},
            "redaction": {"allow_all_keys": True, "blocked_values": BLOCKED_VALUES},
            "batch": {},
        },
        "exporters": {
            "otlp/gateway": {
                "endpoint": gateway_endpoint.removeprefix("https://"),
                "tls": {"ca_file": f"{TLS_DIR}/ca.crt", "cert_file": f"{TLS_DIR}/tls.crt", "key_file": f"{TLS_DIR}/tls.key"},
                "sending_queue": {"enabled": True, "queue_size": 5000},
                "retry_on_failure": _retry(),
            }
        },
        "service": {
            "extensions": ["health_check"],
            "pipelines": {"logs": {"receivers": ["filelog"], "processors": ["memory_limiter", "redaction", "batch"], "exporters": ["otlp/gateway"]}},
        },
    }
