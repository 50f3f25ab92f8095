"""Every name the deployment uses, derived once from the stack (runbooks and policies read these too)."""

from __future__ import annotations

from dataclasses import dataclass

from privllm.stack import StackConfig

GATEWAY_RELEASE = "llm-gateway"
METRICS_NAMESPACE = "monitoring"  # the organisation's Prometheus; the kit only adds monitors and rules


@dataclass(frozen=True)
class Names:
    prefix: str

    @property
    def gateway_ns(self) -> str:
        return f"{self.prefix}-gateway"

    @property
    def serving_ns(self) -> str:
        return f"{self.prefix}-serving"

    @property
    def vault_ns(self) -> str:
        return f"{self.prefix}-vault"

    @property
    def observability_ns(self) -> str:
        return f"{self.prefix}-observability"

    @property
    def gpu_ns(self) -> str:
        return f"{self.prefix}-gpu"

    @property
    def node_logs_ns(self) -> str:
        return f"{self.prefix}-node-logs"

    @property
    def csi_ns(self) -> str:
        return f"{self.prefix}-csi"

    @property
    def keda_ns(self) -> str:
        return f"{self.prefix}-keda"

    @property
    def policy_ns(self) -> str:
        return f"{self.prefix}-policy"

    @property
    def siem_standin_ns(self) -> str:
        """kind stack only: the SIEM stand-in."""
        return f"{self.prefix}-siem"

    @property
    def workload_namespaces(self) -> tuple[str, ...]:
        """Namespaces enforced at Pod Security "restricted"."""
        return (self.gateway_ns, self.serving_ns, self.vault_ns, self.observability_ns, self.keda_ns, self.policy_ns)

    @property
    def node_agent_namespaces(self) -> dict[str, str]:
        """Namespaces whose agents need host access, with the reason recorded on them."""
        return {
            self.gpu_ns: "NVIDIA device plugin registers GPUs through the kubelet's device-plugin socket (hostPath)",
            self.node_logs_ns: "node log collector reads container logs from /var/log/pods (hostPath, read-only)",
            self.csi_ns: "Secrets Store CSI driver and Vault provider mount secret files into pods (privileged, kubelet hostPath)",
        }

    @property
    def all_namespaces(self) -> tuple[str, ...]:
        return self.workload_namespaces + tuple(self.node_agent_namespaces)

    def vllm_fullname(self, model_name: str) -> str:
        return f"{model_name}-vllm-server"

    @property
    def gateway_fullname(self) -> str:
        return GATEWAY_RELEASE

    @property
    def vault_service_account(self) -> str:
        """Vault server's service account (its EKS Pod Identity reaches KMS for auto-unseal)."""
        return "vault"

    @property
    def vault_address(self) -> str:
        return f"https://vault.{self.vault_ns}.svc:8200"

    @property
    def collector_endpoint(self) -> str:
        return f"https://otel-collector.{self.observability_ns}.svc:4317"


def names(cfg: StackConfig) -> Names:
    return Names(cfg.namespace)


def vault_address(cfg: StackConfig) -> str:
    return cfg.vault.address.rstrip("/") if cfg.vault.mode == "external" else names(cfg).vault_address
