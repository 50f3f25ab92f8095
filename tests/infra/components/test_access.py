"""EKS access entries: authentication mode API with creator-admin off, so these are the only way in."""

from __future__ import annotations

from privllm.infra.components.access import CLUSTER_ADMIN_POLICY, NAMESPACE_ADMIN_POLICY
from privllm.stack.naming import names
from tests.infra.inventory import cloud

ENTRY = "aws:eks/accessEntry:AccessEntry"
ASSOCIATION = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"


def test_cluster_uses_access_entries_only(reference):
    (cluster,) = cloud(reference, "aws:eks/cluster:Cluster")
    assert cluster.inputs["accessConfig"] == {"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": False}


def test_deployer_is_cluster_admin_through_an_access_entry(reference):
    access = reference.cfg.aws.access
    entries = {r.inputs["principalArn"]: r for r in cloud(reference, ENTRY)}
    assert entries[access.deployer].inputs["clusterName"] == reference.cfg.target.cluster_name
    assert entries[access.deployer].inputs["type"] == "STANDARD"
    admin = [r for r in cloud(reference, ASSOCIATION) if r.inputs["policyArn"] == CLUSTER_ADMIN_POLICY]
    assert [r.inputs["principalArn"] for r in admin] == [access.deployer]
    assert admin[0].inputs["accessScope"] == {"type": "cluster"}


def test_people_get_the_kits_rbac_groups(reference):
    cfg = reference.cfg
    entries = {r.inputs["principalArn"]: r.inputs["kubernetesGroups"] for r in cloud(reference, ENTRY)}
    for role in ("platform_admin", "model_operator", "auditor"):
        for arn in getattr(cfg.aws.access, role):
            assert entries[arn] == getattr(cfg.rbac, role), role
    assert len(entries) == 1 + sum(len(getattr(cfg.aws.access, r)) for r in ("platform_admin", "model_operator", "auditor"))


def test_platform_admins_are_admins_of_the_kits_namespaces_only(reference):
    cfg = reference.cfg
    (assoc,) = [r for r in cloud(reference, ASSOCIATION) if r.inputs["policyArn"] == NAMESPACE_ADMIN_POLICY]
    assert assoc.inputs["principalArn"] in cfg.aws.access.platform_admin
    assert assoc.inputs["accessScope"] == {"type": "namespace", "namespaces": list(names(cfg).all_namespaces)}


def test_no_access_entries_outside_eks(plans):
    for stack in ("local", "onprem"):
        assert not cloud(plans[stack], ENTRY)
