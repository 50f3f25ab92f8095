"""Every name the deployment uses, derived once from the stack (runbooks and policies read these too)."""

from __future__ import annotations

from dataclasses import dataclass

from privllm.facts import (
    COLLECTOR_NAME,
    GATEWAY_RELEASE,
    METRICS_NAMESPACE,
    NAMESPACE_SUFFIXES,
    OTLP_GRPC_PORT,
    VAULT_PORT,
    VAULT_SERVICE,
    VLLM_PORT,
    VLLM_RELEASE_SUFFIX,
)
from privllm.stack import StackConfig

__all__ = ["GATEWAY_RELEASE", "METRICS_NAMESPACE", "Names", "names", "vault_address"]


@dataclass(frozen=True)
class Names:
    prefix: str

    def namespace(self, key: str) -> str:
        """The full name of a namespace by its NAMESPACE_SUFFIXES key."""
        return f"{self.prefix}-{NAMESPACE_SUFFIXES[key]}"

    @property
    def gateway_ns(self) -> str:
        return self.namespace("gateway")

    @property
    def serving_ns(self) -> str:
        return self.namespace("serving")

    @property
    def vault_ns(self) -> str:
        return self.namespace("vault")

    @property
    def observability_ns(self) -> str:
        return self.namespace("observability")

    @property
    def gpu_ns(self) -> str:
        return self.namespace("gpu")

    @property
    def node_logs_ns(self) -> str:
        return self.namespace("node_logs")

    @property
    def csi_ns(self) -> str:
        return self.namespace("csi")

    @property
    def keda_ns(self) -> str:
        return self.namespace("keda")

    @property
    def policy_ns(self) -> str:
        return self.namespace("policy")

    @property
    def siem_standin_ns(self) -> str:
        """kind stack only: the SIEM stand-in."""
        return self.namespace("siem")

    @property
    def workload_namespaces(self) -> tuple[str, ...]:
        """Namespaces enforced at Pod Security "restricted"."""
        return (self.gateway_ns, self.serving_ns, self.vault_ns, self.observability_ns, self.keda_ns, self.policy_ns)

    @property
    def node_agent_namespaces(self) -> dict[str, str]:
        """Namespaces whose agents need host access, with the reason recorded on them."""
        return {
            self.gpu_ns: "NVIDIA (and, on EFA pools, AWS EFA) device plugins register devices through the kubelet's device-plugin socket (hostPath)",
            self.node_logs_ns: "node log collector reads container logs from /var/log/pods (hostPath, read-only)",
            self.csi_ns: "Secrets Store CSI driver and Vault provider mount secret files into pods (privileged, kubelet hostPath)",
        }

    @property
    def all_namespaces(self) -> tuple[str, ...]:
        return self.workload_namespaces + tuple(self.node_agent_namespaces)

    def vllm_fullname(self, model_name: str) -> str:
        return f"{model_name}{VLLM_RELEASE_SUFFIX}"

    @property
    def gateway_fullname(self) -> str:
        return GATEWAY_RELEASE

    def vllm_url(self, model_name: str) -> str:
        """The in-cluster URL of a model's vLLM server (what the gateway calls)."""
        return f"http://{self.vllm_fullname(model_name)}.{self.serving_ns}.svc:{VLLM_PORT}"

    @property
    def vault_service_account(self) -> str:
        """Vault server's service account (its EKS Pod Identity reaches KMS for auto-unseal)."""
        return "vault"

    @property
    def vault_address(self) -> str:
        return f"https://{VAULT_SERVICE}.{self.vault_ns}.svc:{VAULT_PORT}"

    @property
    def collector_endpoint(self) -> str:
        return f"https://{COLLECTOR_NAME}.{self.observability_ns}.svc:{OTLP_GRPC_PORT}"


def names(cfg: StackConfig) -> Names:
    return Names(cfg.namespace)


def vault_address(cfg: StackConfig) -> str:
    if cfg.vault.mode == "external" and cfg.vault.address:
        return cfg.vault.address.rstrip("/")
    return names(cfg).vault_address
