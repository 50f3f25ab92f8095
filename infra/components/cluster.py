"""Cluster: EKS with a private API endpoint only, KMS envelope encryption of secrets and
control-plane audit logs; for kind and existing targets, the same interface over a kubeconfig context."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from privllm.facts import KUBERNETES_API_PORT
from privllm.infra.components.access import EksAccess, EksAccessArgs
from privllm.stack import StackConfig

CONTROL_PLANE_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
# vpc-cni enforces NetworkPolicy only with this setting; without it every default-deny is void.
VPC_CNI_CONFIGURATION = {"enableNetworkPolicy": "true"}


def control_plane_log_group(cluster_name: str) -> str:
    """The name EKS writes control-plane logs to; created by the program so it is encrypted and retention-bound."""
    return f"/aws/eks/{cluster_name}/cluster"


@dataclass
class ClusterArgs:
    cfg: StackConfig
    subnet_ids: list = field(default_factory=list)
    vpc_id: pulumi.Input[str] | None = None
    kms_key_arn: pulumi.Input[str] | None = None


def _assume(service: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"], "Principal": {"Service": service}}]})


class Cluster(pulumi.ComponentResource):
    provider: k8s.Provider
    name: pulumi.Output[str]

    def __init__(self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("privllm:cluster:Cluster", name, None, opts)
        cfg = args.cfg
        child = pulumi.ResourceOptions(parent=self)
        self.eks: aws.eks.Cluster | None = None
        if cfg.target.kind == "eks":
            self._eks(name, args, child)
        else:
            context = cfg.target.kube_context or f"kind-{cfg.target.cluster_name}"
            self.provider = k8s.Provider(f"{name}-k8s", context=context, enable_server_side_apply=True, opts=child)
            self.name = pulumi.Output.from_input(cfg.target.cluster_name)
        self.register_outputs({"name": self.name})

    def _eks(self, name: str, args: ClusterArgs, child: pulumi.ResourceOptions) -> None:
        cfg = args.cfg
        role = aws.iam.Role(f"{name}-control-plane", assume_role_policy=_assume("eks.amazonaws.com"), opts=child)
        aws.iam.RolePolicyAttachment(
            f"{name}-control-plane-policy", role=role.name, policy_arn="arn:aws:iam::aws:policy/AmazonEKSClusterPolicy", opts=child
        )
        operators = list(cfg.aws.connectivity.operator_cidrs) if cfg.aws else []
        api_sg = aws.ec2.SecurityGroup(
            f"{name}-api",
            vpc_id=args.vpc_id,
            description="Kubernetes API from inside the VPC and the declared operator networks only",
            ingress=[
                aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=KUBERNETES_API_PORT, to_port=KUBERNETES_API_PORT, cidr_blocks=[cfg.network.vpc_cidr, *operators])
            ],
            egress=[aws.ec2.SecurityGroupEgressArgs(protocol="-1", from_port=0, to_port=0, cidr_blocks=[cfg.network.vpc_cidr])],
            opts=child,
        )
        logs = aws.cloudwatch.LogGroup(
            f"{name}-control-plane-logs",
            name=control_plane_log_group(cfg.target.cluster_name),
            retention_in_days=cfg.telemetry.audit_retention_days,
            kms_key_id=args.kms_key_arn,
            opts=child,
        )
        cluster = aws.eks.Cluster(
            f"{name}-eks",
            name=cfg.target.cluster_name,
            version=cfg.target.kubernetes_version,
            role_arn=role.arn,
            vpc_config=aws.eks.ClusterVpcConfigArgs(
                subnet_ids=args.subnet_ids,
                security_group_ids=[api_sg.id],
                endpoint_private_access=True,
                endpoint_public_access=False,
            ),
            encryption_config=aws.eks.ClusterEncryptionConfigArgs(
                resources=["secrets"], provider=aws.eks.ClusterEncryptionConfigProviderArgs(key_arn=args.kms_key_arn)
            ),
            enabled_cluster_log_types=CONTROL_PLANE_LOGS,
            access_config=aws.eks.ClusterAccessConfigArgs(
                authentication_mode="API", bootstrap_cluster_creator_admin_permissions=False
            ),
            deletion_protection=True,
            # EKS would create the log group itself, unencrypted and kept forever.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[logs]),
        )
        self.addons = {
            "vpc-cni": aws.eks.Addon(
                f"{name}-vpc-cni",
                cluster_name=cluster.name,
                addon_name="vpc-cni",
                configuration_values=json.dumps(VPC_CNI_CONFIGURATION),
                resolve_conflicts_on_create="OVERWRITE",
                resolve_conflicts_on_update="OVERWRITE",
                opts=child,
            ),
            "eks-pod-identity-agent": aws.eks.Addon(f"{name}-eks-pod-identity-agent", cluster_name=cluster.name, addon_name="eks-pod-identity-agent", opts=child),
        }
        access = EksAccess(f"{name}-access", EksAccessArgs(cfg, cluster.name), opts=child)
        kubeconfig = pulumi.Output.all(cluster.name, cluster.endpoint, cluster.certificate_authority).apply(
            lambda a: json.dumps(
                {
                    "apiVersion": "v1",
                    "kind": "Config",
                    "clusters": [{"name": a[0], "cluster": {"server": a[1], "certificate-authority-data": (a[2] or {}).get("data")}}],
                    "contexts": [{"name": a[0], "context": {"cluster": a[0], "user": a[0]}}],
                    "current-context": a[0],
                    "users": [
                        {
                            "name": a[0],
                            "user": {
                                "exec": {
                                    "apiVersion": "client.authentication.k8s.io/v1beta1",
                                    "command": "aws",
                                    "args": ["eks", "get-token", "--cluster-name", a[0], "--region", cfg.target.region],
                                }
                            },
                        }
                    ],
                }
            )
        )
        self.eks = cluster
        self.name = cluster.name
        # Every Kubernetes call waits for the deployer's access and for NetworkPolicy enforcement.
        self.provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=kubeconfig,
            enable_server_side_apply=True,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[access.deployer, self.addons["vpc-cni"]]),
        )
