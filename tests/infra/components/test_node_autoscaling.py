"""The Cluster Autoscaler grows GPU pools from zero, scaling only this cluster's groups."""

from __future__ import annotations

from privllm.infra.components.node_autoscaling import SERVICE_ACCOUNT, ownership_tag
from tests.infra.inventory import cloud, named, statements


def _release(plan):
    (found,) = [r for r in plan.releases if r.name.endswith("-cluster-autoscaler")]
    return found


def test_autoscaler_release_from_the_mirror_discovers_this_cluster(reference):
    cfg = reference.cfg
    release = _release(reference)
    assert release.inputs["chart"] == f"{cfg.mirror.chart_repository}/cluster-autoscaler"
    assert release.inputs["version"] == cfg.mirror.charts["cluster-autoscaler"].version
    values = release.inputs["values"]
    assert values["autoDiscovery"] == {"clusterName": cfg.target.cluster_name}
    assert values["awsRegion"] == cfg.target.region and values["cloudProvider"] == "aws"
    assert values["image"]["repository"].startswith(cfg.mirror.image_registry + "/")
    assert values["rbac"]["serviceAccount"]["name"] == SERVICE_ACCOUNT
    assert values["containerSecurityContext"]["readOnlyRootFilesystem"] is True


def test_autoscaler_reads_node_group_templates_and_scales_only_owned_groups(reference):
    cluster = reference.cfg.target.cluster_name
    found = statements(named(reference, "aws:iam/rolePolicy:RolePolicy", "-node-autoscaling-cluster-autoscaler"))
    assert "eks:DescribeNodegroup" in found["Discover"]["Action"]  # labels and taints of an empty group
    scale = found["ScaleThisClustersGroups"]
    assert set(scale["Action"]) == {"autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"}
    assert scale["Condition"] == {"StringEquals": {f"aws:ResourceTag/{ownership_tag(cluster)}": "owned"}}
    assoc = named(reference, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "-node-autoscaling-cluster-autoscaler")
    assert assoc.inputs["serviceAccount"] == SERVICE_ACCOUNT and assoc.inputs["namespace"] == "kube-system"


def test_no_autoscaler_outside_eks(plans):
    for stack in ("local", "onprem"):
        assert not [r for r in plans[stack].releases if r.name.endswith("-cluster-autoscaler")]
        assert not cloud(plans[stack], "aws:eks/podIdentityAssociation:PodIdentityAssociation")
