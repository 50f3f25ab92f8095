"""EKS access entries: with authentication mode API and creator-admin off, these entries are the
only way into the cluster. The deployer is cluster admin (it installs CRDs, webhooks and RBAC);
people get the kit's RBAC groups, so the Kubernetes roles the kit binds decide what they may do."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from privllm.stack import StackConfig
from privllm.stack.naming import names

ACCESS_POLICY_PREFIX = "arn:aws:eks::aws:cluster-access-policy/"
CLUSTER_ADMIN_POLICY = ACCESS_POLICY_PREFIX + "AmazonEKSClusterAdminPolicy"
# The kit binds the built-in "admin" ClusterRole to platform admins in its namespaces; the
# AWS-managed equivalent, scoped to the same namespaces.
NAMESPACE_ADMIN_POLICY = ACCESS_POLICY_PREFIX + "AmazonEKSAdminPolicy"


@dataclass
class EksAccessArgs:
    cfg: StackConfig
    cluster_name: pulumi.Input[str]


class EksAccess(pulumi.ComponentResource):
    deployer: aws.eks.AccessPolicyAssociation

    def __init__(self, name: str, args: EksAccessArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("privllm:access:EksAccess", name, None, opts)
        cfg, access = args.cfg, args.cfg.eks.access
        kit_namespaces = list(names(cfg).all_namespaces)
        self._cluster = args.cluster_name
        self.deployer = self._entry(f"{name}-deployer", access.deployer, [], CLUSTER_ADMIN_POLICY, "cluster", None)
        for i, arn in enumerate(access.platform_admin):
            self._entry(f"{name}-platform-admin-{i}", arn, cfg.rbac.platform_admin, NAMESPACE_ADMIN_POLICY, "namespace", kit_namespaces)
        for i, arn in enumerate(access.model_operator):
            self._entry(f"{name}-model-operator-{i}", arn, cfg.rbac.model_operator)
        for i, arn in enumerate(access.auditor):
            self._entry(f"{name}-auditor-{i}", arn, cfg.rbac.auditor)
        self.register_outputs({"deployer": access.deployer})

    def _entry(self, name, principal, groups, policy=None, scope=None, namespaces=None):
        child = pulumi.ResourceOptions(parent=self)
        entry = aws.eks.AccessEntry(
            name, cluster_name=self._cluster, principal_arn=principal, kubernetes_groups=list(groups), type="STANDARD", opts=child
        )
        if policy is None:
            return entry
        return aws.eks.AccessPolicyAssociation(
            name,
            cluster_name=self._cluster,
            principal_arn=principal,
            policy_arn=policy,
            access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(type=scope, namespaces=namespaces),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[entry]),
        )
