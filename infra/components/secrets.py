"""Secrets: Vault (HA raft, TLS, KMS auto-unseal on EKS) in its own namespace, or an external
Vault; the Secrets Store CSI driver and Vault provider that mount secrets as files.
Kubernetes auth roles and policies are configured by `privllm vault bootstrap`, so no
secret value ever passes through Pulumi state."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from privllm.facts import VAULT_CLUSTER_PORT, VAULT_PORT, VAULT_SERVICE, VAULT_TOKEN_AUDIENCE
from privllm.infra.components.base import in_namespace, mirror_chart, mirror_image
from privllm.stack import StackConfig
from privllm.stack.naming import names, vault_address

RESTRICTED_POD = {"runAsNonRoot": True, "runAsUser": 100, "runAsGroup": 1000, "fsGroup": 1000, "seccompProfile": {"type": "RuntimeDefault"}}
RESTRICTED_CONTAINER = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}}


@dataclass
class SecretsArgs:
    cfg: StackConfig
    kms_key_arn: pulumi.Input[str] | None = None
    namespaces: dict | None = None


VAULT_RELEASE = VAULT_SERVICE  # the chart names the StatefulSet, its pods and the Service after the release
VAULT_REPLICAS = 3
TLS_DIR = "/vault/userconfig/vault-tls"


def _retry_join(cfg: StackConfig) -> str:
    """Every replica tries every peer, so a new or restarted pod finds the raft cluster by itself."""
    ns = names(cfg).vault_ns
    return "".join(
        f'  retry_join {{\n    leader_api_addr = "https://{VAULT_RELEASE}-{i}.{VAULT_RELEASE}-internal.{ns}.svc:{VAULT_PORT}"\n'
        f'    leader_ca_cert_file = "{TLS_DIR}/ca.crt"\n  }}\n'
        for i in range(VAULT_REPLICAS)
    )


def _raft_config(cfg: StackConfig, kms_key_arn: str | None) -> str:
    seal = (
        f'seal "awskms" {{\n  region = "{cfg.target.region}"\n  kms_key_id = "{kms_key_arn}"\n}}\n' if kms_key_arn else ""
    )
    return (
        'ui = false\n'
        f'listener "tcp" {{\n  address = "[::]:{VAULT_PORT}"\n  cluster_address = "[::]:{VAULT_CLUSTER_PORT}"\n'
        '  tls_cert_file = "/vault/userconfig/vault-tls/tls.crt"\n  tls_key_file = "/vault/userconfig/vault-tls/tls.key"\n'
        '  tls_min_version = "tls12"\n}\n'
        'storage "raft" {\n  path = "/vault/data"\n' + _retry_join(cfg) + '}\n'
        'service_registration "kubernetes" {}\n'
        'disable_mlock = true\n' + seal
    )


class Secrets(pulumi.ComponentResource):
    address: str

    def __init__(self, name: str, args: SecretsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("privllm:secrets:Secrets", name, None, opts)
        cfg = args.cfg
        n = names(cfg)
        nss = args.namespaces or {}
        dep = lambda ns, *more: in_namespace(self, nss, ns, *more)  # noqa: E731
        vault_image = mirror_image(cfg, "vault")
        csi_image = mirror_image(cfg, "vault-csi-provider")
        if cfg.vault.mode == "in-cluster":
            config = pulumi.Output.from_input(args.kms_key_arn).apply(lambda arn: _raft_config(cfg, arn))
            mirror_chart(
                f"{name}-vault",
                cfg,
                "vault",
                namespace=n.vault_ns,
                release=VAULT_RELEASE,
                values={
                    "global": {"tlsDisable": False},
                    "injector": {"enabled": False},
                    "csi": {"enabled": False},
                    "ui": {"enabled": False},
                    "server": {
                        "image": vault_image,
                        "ha": {"enabled": True, "replicas": VAULT_REPLICAS, "raft": {"enabled": True, "setNodeId": True, "config": config}},
                        "dataStorage": {"enabled": True, "size": "10Gi"},
                        "auditStorage": {"enabled": True, "size": "10Gi"},
                        # vault-tls is the organisation's certificate (declared in privllm:preinstalled.objects).
                        # /tmp: the chart's start command writes the rendered config there, and the root is read-only.
                        "volumes": [{"name": "vault-tls", "secret": {"secretName": "vault-tls"}}, {"name": "tmp", "emptyDir": {"medium": "Memory", "sizeLimit": "16Mi"}}],
                        "volumeMounts": [
                            {"name": "vault-tls", "mountPath": TLS_DIR, "readOnly": True},
                            {"name": "tmp", "mountPath": "/tmp"},
                        ],
                        "extraEnvironmentVars": {"VAULT_CACERT": f"{TLS_DIR}/ca.crt"},
                        "statefulSet": {"securityContext": {"pod": RESTRICTED_POD, "container": RESTRICTED_CONTAINER}},
                        "serviceAccount": {"create": True, "name": n.vault_service_account},
                    },
                },
                opts=dep(n.vault_ns),
            )
        self.address = vault_address(cfg)
        # Node agents (privileged namespace): the CSI driver and Vault's CSI provider.
        mirror_chart(
            f"{name}-secrets-store-csi-driver",
            cfg,
            "secrets-store-csi-driver",
            namespace=n.csi_ns,
            release="secrets-store-csi-driver",
            values={
                "linux": {
                    "image": mirror_image(cfg, "secrets-store-csi-driver"),
                    "crds": {"image": mirror_image(cfg, "secrets-store-csi-driver-crds")},  # the CRD install/keep hook Jobs
                    "registrarImage": mirror_image(cfg, "csi-node-driver-registrar"),
                    "livenessProbeImage": mirror_image(cfg, "csi-livenessprobe"),
                },
                "syncSecret": {"enabled": False},  # files only: never copy into Kubernetes Secrets
                "enableSecretRotation": True,
                "rotationPollInterval": "2m",
                "tokenRequests": [{"audience": VAULT_TOKEN_AUDIENCE}],
            },
            opts=dep(n.csi_ns),
        )
        mirror_chart(
            f"{name}-vault-csi-provider",
            cfg,
            "vault",
            namespace=n.csi_ns,
            release="vault-csi-provider",
            values={
                "global": {"tlsDisable": False},
                "server": {"enabled": False},
                "injector": {"enabled": False},
                "csi": {
                    "enabled": True,
                    "image": csi_image,
                    "agent": {"enabled": False},
                    # Root (it creates its socket in the host's provider directory), nothing more:
                    # no capabilities, no escalation, a read-only root and the runtime's seccomp profile.
                    "daemonSet": {
                        "securityContext": {
                            "pod": {"seccompProfile": {"type": "RuntimeDefault"}},
                            "container": {**RESTRICTED_CONTAINER, "seccompProfile": {"type": "RuntimeDefault"}},
                        }
                    },
                },
            },
            opts=dep(n.csi_ns),
        )
        self.register_outputs({"address": self.address})
