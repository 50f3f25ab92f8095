"""The EKS control plane: NetworkPolicy enforced by vpc-cni, an encrypted and retention-bound log group."""

from __future__ import annotations

import json

from privllm.infra.components.cluster import control_plane_log_group
from tests.infra.inventory import cloud, named


def test_vpc_cni_enforces_network_policy(reference):
    (cni,) = [a for a in cloud(reference, "aws:eks/addon:Addon") if a.inputs["addonName"] == "vpc-cni"]
    assert json.loads(cni.inputs["configurationValues"]) == {"enableNetworkPolicy": "true"}
    assert cni.inputs["resolveConflictsOnCreate"] == "OVERWRITE"


def test_pod_identity_agent_is_installed(reference):
    assert "eks-pod-identity-agent" in {a.inputs["addonName"] for a in cloud(reference, "aws:eks/addon:Addon")}


def test_control_plane_log_group_is_created_encrypted_with_a_valid_retention(reference):
    cfg = reference.cfg
    group = named(reference, "aws:cloudwatch/logGroup:LogGroup", "-control-plane-logs")
    assert group.inputs["name"] == control_plane_log_group(cfg.target.cluster_name) == "/aws/eks/privllm-ref/cluster"
    assert group.inputs["kmsKeyId"] == "arn:(known after apply):privllm-ref-keys-cmk"
    assert group.inputs["retentionInDays"] == cfg.telemetry.audit_retention_days
