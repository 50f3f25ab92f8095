"""Node autoscaling on EKS: the Cluster Autoscaler, so GPU node groups with min 0 grow when a
model's pod is pending and shrink when idle. It reads each managed node group's labels and
taints from the EKS API (eks:DescribeNodegroup), which is what lets it scale a group from zero."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from privllm.infra.components.base import mirror_chart, mirror_image
from privllm.infra.components.workload_identity import associate, policy_document, workload_role
from privllm.stack import StackConfig

NAMESPACE = "kube-system"  # system-cluster-critical pods may run only here by default
SERVICE_ACCOUNT = "cluster-autoscaler"
READ_ACTIONS = [
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeAutoScalingInstances",
    "autoscaling:DescribeLaunchConfigurations",
    "autoscaling:DescribeScalingActivities",
    "autoscaling:DescribeTags",
    "ec2:DescribeImages",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeLaunchTemplateVersions",
    "ec2:GetInstanceTypesFromInstanceRequirements",
    "eks:DescribeNodegroup",
]
SCALE_ACTIONS = ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]
RESTRICTED_POD = {"runAsNonRoot": True, "runAsUser": 65534, "runAsGroup": 65534, "seccompProfile": {"type": "RuntimeDefault"}}
RESTRICTED_CONTAINER = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}}


def ownership_tag(cluster_name: str) -> str:
    """EKS tags the Auto Scaling group of every managed node group with this key (value "owned")."""
    return f"k8s.io/cluster-autoscaler/{cluster_name}"


def autoscaler_policy(cluster_name: str) -> str:
    """Read everything it must see; scale only the groups of this cluster."""
    return policy_document(
        {"Sid": "Discover", "Effect": "Allow", "Action": READ_ACTIONS, "Resource": "*"},
        {
            "Sid": "ScaleThisClustersGroups",
            "Effect": "Allow",
            "Action": SCALE_ACTIONS,
            "Resource": "*",
            "Condition": {"StringEquals": {f"aws:ResourceTag/{ownership_tag(cluster_name)}": "owned"}},
        },
    )


def autoscaler_values(cfg: StackConfig) -> dict:
    return {
        "cloudProvider": "aws",
        "awsRegion": cfg.target.region,
        "autoDiscovery": {"clusterName": cfg.target.cluster_name},
        "image": mirror_image(cfg, "cluster-autoscaler"),
        "rbac": {"serviceAccount": {"create": True, "name": SERVICE_ACCOUNT}},
        "extraArgs": {
            "balance-similar-node-groups": True,
            "expander": "least-waste",
            # GPU nodes are expensive: release them when idle, as the models' scale-to-zero intends.
            "scale-down-unneeded-time": "10m",
            "skip-nodes-with-local-storage": False,
        },
        "securityContext": RESTRICTED_POD,
        "containerSecurityContext": RESTRICTED_CONTAINER,
        "nodeSelector": {"privllm.io/pool": "system"},
    }


@dataclass
class NodeAutoscalingArgs:
    cfg: StackConfig
    cluster_name: pulumi.Input[str]
    depends_on: list | None = None


class NodeAutoscaling(pulumi.ComponentResource):
    def __init__(self, name: str, args: NodeAutoscalingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("privllm:node_autoscaling:NodeAutoscaling", name, None, opts)
        cfg = args.cfg
        role = workload_role(f"{name}-cluster-autoscaler", policy=autoscaler_policy(cfg.target.cluster_name), parent=self)
        association = associate(
            f"{name}-cluster-autoscaler", cluster_name=args.cluster_name, namespace=NAMESPACE, service_account=SERVICE_ACCOUNT, role=role, parent=self
        )
        mirror_chart(
            f"{name}-cluster-autoscaler",
            cfg,
            "cluster-autoscaler",
            namespace=NAMESPACE,
            values=autoscaler_values(cfg),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[association, *(args.depends_on or [])]),
        )
        self.register_outputs({"role": role.arn})
