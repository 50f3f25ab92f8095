"""EKS Pod Identity: one IAM role per workload, assumable only by the EKS Pod Identity agent
for one service account, so no node role or instance metadata carries workload permissions."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com"
# The EKS Pod Identity agent serves credentials on this link-local address (host network): a pod
# under an egress NetworkPolicy gets no credentials unless the policy admits it.
POD_IDENTITY_AGENT_CIDR = "169.254.170.23/32"
POD_IDENTITY_AGENT_PORT = 80


def partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def pod_identity_trust() -> str:
    """Trust policy of a Pod Identity role (the agent assumes it and tags the session)."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": POD_IDENTITY_PRINCIPAL}, "Action": ["sts:AssumeRole", "sts:TagSession"]}
            ],
        }
    )


def policy_document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def workload_role(
    name: str,
    *,
    policy: pulumi.Input[str] | None = None,
    managed_policy_arns: tuple[str, ...] = (),
    parent: pulumi.Resource,
) -> aws.iam.Role:
    """A Pod Identity role with an inline policy and/or AWS-managed policies."""
    child = pulumi.ResourceOptions(parent=parent)
    role = aws.iam.Role(name, assume_role_policy=pod_identity_trust(), opts=child)
    if policy is not None:
        aws.iam.RolePolicy(name, role=role.id, policy=policy, opts=child)
    for arn in managed_policy_arns:
        aws.iam.RolePolicyAttachment(f"{name}-{arn.rsplit('/', 1)[1]}", role=role.name, policy_arn=arn, opts=child)
    return role


def associate(
    name: str, *, cluster_name: pulumi.Input[str], namespace: str, service_account: str, role: aws.iam.Role, parent: pulumi.Resource
) -> aws.eks.PodIdentityAssociation:
    return aws.eks.PodIdentityAssociation(
        name,
        cluster_name=cluster_name,
        namespace=namespace,
        service_account=service_account,
        role_arn=role.arn,
        opts=pulumi.ResourceOptions(parent=parent),
    )


class VaultUnsealIdentity(pulumi.ComponentResource):
    """Vault's awskms seal: its service account may encrypt and decrypt with the kit's key, nothing else."""

    def __init__(self, name: str, *, cluster_name, namespace: str, service_account: str, kms_key_arn, opts: pulumi.ResourceOptions | None = None):
        super().__init__("privllm:workload_identity:VaultUnsealIdentity", name, None, opts)
        policy = pulumi.Output.from_input(kms_key_arn).apply(
            lambda arn: policy_document(
                {"Sid": "AutoUnseal", "Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], "Resource": arn}
            )
        )
        role = workload_role(f"{name}-role", policy=policy, parent=self)
        associate(f"{name}-association", cluster_name=cluster_name, namespace=namespace, service_account=service_account, role=role, parent=self)
        self.register_outputs({"role": role.arn})


class PodIdentityEgress(pulumi.ComponentResource):
    """Lets pods of a default-deny namespace reach the Pod Identity agent (and nothing else new)."""

    def __init__(self, name: str, *, namespace: str, pod_labels: dict[str, str], opts: pulumi.ResourceOptions | None = None):
        super().__init__("privllm:workload_identity:PodIdentityEgress", name, None, opts)
        import pulumi_kubernetes as k8s

        from privllm.facts import LABEL_PART_OF, PROJECT

        k8s.networking.v1.NetworkPolicy(
            f"{name}-policy",
            metadata={"name": "allow-pod-identity-agent", "namespace": namespace, "labels": {LABEL_PART_OF: PROJECT}},
            spec={
                "podSelector": {"matchLabels": pod_labels},
                "policyTypes": ["Egress"],
                "egress": [{"to": [{"ipBlock": {"cidr": POD_IDENTITY_AGENT_CIDR}}], "ports": [{"protocol": "TCP", "port": POD_IDENTITY_AGENT_PORT}]}],
            },
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})
