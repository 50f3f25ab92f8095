"""The whole deployment, from one StackConfig. Called by __main__.py (pulumi up) and by the
offline plan (Pulumi's mock engine); nothing here runs at import time."""

from __future__ import annotations

import pulumi

from privllm.facts import LABEL_NAME
from privllm.infra.components.cluster import Cluster, ClusterArgs
from privllm.infra.components.gateway import Gateway, GatewayArgs
from privllm.infra.components.gateway_lb import GatewayLoadBalancer, GatewayLoadBalancerArgs
from privllm.infra.components.gpu_pool import GpuNodePools, GpuNodePoolsArgs
from privllm.infra.components.keys import Keys, KeysArgs
from privllm.infra.components.model_serving import ModelServing, ModelServingArgs
from privllm.infra.components.network import Network, NetworkArgs
from privllm.infra.components.node_autoscaling import NodeAutoscaling, NodeAutoscalingArgs
from privllm.infra.components.observability import Observability, ObservabilityArgs
from privllm.infra.components.platform import Platform, PlatformArgs
from privllm.infra.components.policy_enforcement import PolicyEnforcement, PolicyEnforcementArgs
from privllm.infra.components.secrets import Secrets, SecretsArgs
from privllm.infra.components.storage import Storage, StorageArgs, StorageClasses, StorageClassesArgs
from privllm.infra.components.workload_identity import PodIdentityEgress, VaultUnsealIdentity
from privllm.infra.timeouts import long_running
from privllm.stack import StackConfig
from privllm.stack.naming import names


def gatekeeper_constraints(cfg: StackConfig) -> list[tuple[dict, dict]]:
    from privllm.policies.gatekeeper import constraints_for

    return constraints_for(cfg)


def _eks_storage_and_identities(
    cfg: StackConfig, cluster: Cluster, kms_key_arn: pulumi.Output[str], k8s_opts: pulumi.ResourceOptions, namespaces: dict
) -> None:
    """EBS and Mountpoint drivers with their identities, the encrypted default class, Vault's unseal identity."""
    n = names(cfg)
    stem = cfg.target.cluster_name
    storage = Storage(f"{stem}-storage", StorageArgs(cfg, cluster.name, kms_key_arn, depends_on=[cluster.addons["eks-pod-identity-agent"]]))
    StorageClasses(f"{stem}-storage-classes", StorageClassesArgs(kms_key_arn, depends_on=[storage.ebs]), opts=k8s_opts)
    if cfg.vault.mode == "in-cluster":
        VaultUnsealIdentity(
            f"{stem}-vault-unseal", cluster_name=cluster.name, namespace=n.vault_ns, service_account=n.vault_service_account, kms_key_arn=kms_key_arn
        )
        # Vault's pods are the Vault chart's ("app.kubernetes.io/name: vault", as Platform selects them).
        PodIdentityEgress(
            f"{stem}-vault-pod-identity",
            namespace=n.vault_ns,
            pod_labels={LABEL_NAME: "vault"},
            opts=pulumi.ResourceOptions.merge(k8s_opts, pulumi.ResourceOptions(depends_on=[namespaces[n.vault_ns]])),
        )


def deploy(cfg: StackConfig) -> dict:
    n = names(cfg)
    stem = cfg.target.cluster_name
    kms_key_arn = None
    net = None
    if cfg.target.kind == "eks":
        keys = Keys(f"{stem}-keys", KeysArgs(cfg))
        kms_key_arn = keys.key_arn
        net = Network(f"{stem}-network", NetworkArgs(cfg, kms_key_arn))
    cluster = Cluster(
        f"{stem}-cluster",
        ClusterArgs(cfg, subnet_ids=net.subnet_ids if net else [], vpc_id=net.vpc_id if net else None, kms_key_arn=kms_key_arn),
    )
    k8s_opts = pulumi.ResourceOptions(providers={"kubernetes": cluster.provider})
    # Components whose pods take longer than Pulumi's default wait (a sealed Vault, a 70B model).
    slow_opts = pulumi.ResourceOptions(providers={"kubernetes": cluster.provider}, transforms=[long_running])
    platform = Platform(f"{stem}-platform", PlatformArgs(cfg), opts=k8s_opts)
    nss = platform.namespaces
    eks = cluster.eks
    if eks is not None and kms_key_arn is not None:
        _eks_storage_and_identities(cfg, cluster, kms_key_arn, k8s_opts, nss)
    GpuNodePools(
        f"{stem}-gpu-pools",
        GpuNodePoolsArgs(
            cfg,
            cluster_name=cluster.name,
            subnet_ids=net.subnet_ids if net else None,
            kms_key_arn=kms_key_arn,
            namespace=nss[n.gpu_ns],
            vpc_id=net.vpc_id if net else None,
            cluster_security_group_id=eks.vpc_config.cluster_security_group_id if eks is not None else None,
        ),
        opts=k8s_opts,
    )
    if eks is not None:
        NodeAutoscaling(f"{stem}-node-autoscaling", NodeAutoscalingArgs(cfg, cluster.name), opts=k8s_opts)
    PolicyEnforcement(f"{stem}-policy", PolicyEnforcementArgs(cfg, nss, gatekeeper_constraints(cfg)), opts=k8s_opts)
    secrets = Secrets(f"{stem}-secrets", SecretsArgs(cfg, kms_key_arn, nss), opts=slow_opts)
    Observability(f"{stem}-observability", ObservabilityArgs(cfg, nss), opts=k8s_opts)
    serving = ModelServing(f"{stem}-serving", ModelServingArgs(cfg, nss), opts=slow_opts)
    gateway = Gateway(f"{stem}-gateway", GatewayArgs(cfg, nss, depends_on=[serving, secrets]), opts=k8s_opts)
    if eks is not None and net is not None:
        GatewayLoadBalancer(
            f"{stem}-gateway-lb",
            GatewayLoadBalancerArgs(cfg, cluster.name, net.vpc_id, net.gateway_sg.id, nss, depends_on=[gateway]),
            opts=k8s_opts,
        )
    outputs = {
        "cluster": cluster.name,
        "gateway": f"https://{n.gateway_fullname}.{n.gateway_ns}.svc",
        "models": [m.served_name for m in cfg.models],
        "vault": secrets.address,
    }
    for key, value in outputs.items():
        pulumi.export(key, value)
    return outputs
