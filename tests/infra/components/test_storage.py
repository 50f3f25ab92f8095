"""EBS CSI with an encrypted default gp3 class (Vault's claims bind), Mountpoint reading only the weights prefixes."""

from __future__ import annotations

import json

from privllm.infra.components.storage import EBS_CSI_SERVICE_ACCOUNT, MOUNTPOINT_SERVICE_ACCOUNT, weights_read_policy
from tests.infra.inventory import cloud, named, objects, statements, variant

ADDON = "aws:eks/addon:Addon"


def _addon(plan, name):
    (found,) = [a for a in cloud(plan, ADDON) if a.inputs["addonName"] == name]
    return found


def test_ebs_csi_driver_runs_with_its_own_pod_identity(reference):
    addon = _addon(reference, "aws-ebs-csi-driver")
    (assoc,) = addon.inputs["podIdentityAssociations"]
    assert assoc["serviceAccount"] == EBS_CSI_SERVICE_ACCOUNT
    assert assoc["roleArn"].endswith("-storage-ebs-csi")
    managed = named(reference, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "-ebs-csi-AmazonEBSCSIDriverPolicy")
    assert managed.inputs["policyArn"] == "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"
    kms = statements(named(reference, "aws:iam/rolePolicy:RolePolicy", "-storage-ebs-csi"))
    assert kms["GrantsForVolumes"]["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": True}}
    assert kms["UseTheKey"]["Resource"] == "arn:(known after apply):privllm-ref-keys-cmk"


def test_default_storage_class_is_encrypted_gp3_with_the_kits_key(reference):
    (sc,) = objects(reference, "StorageClass")
    assert sc["provisioner"] == "ebs.csi.aws.com"
    assert sc["parameters"] == {"type": "gp3", "encrypted": "true", "kmsKeyId": "arn:(known after apply):privllm-ref-keys-cmk"}
    assert sc["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"
    assert sc["volumeBindingMode"] == "WaitForFirstConsumer"


def test_vault_claims_name_no_class_so_they_bind_to_the_default(reference):
    vault = next(r for r in reference.releases if r.name.endswith("-secrets-vault"))
    server = vault.inputs["values"]["server"]
    assert server["dataStorage"]["enabled"] and "storageClass" not in server["dataStorage"]


def test_mountpoint_reads_exactly_the_weights_prefixes(reference):
    addon = _addon(reference, "aws-mountpoint-s3-csi-driver")
    (assoc,) = addon.inputs["podIdentityAssociations"]
    assert assoc["serviceAccount"] == MOUNTPOINT_SERVICE_ACCOUNT
    found = statements(named(reference, "aws:iam/rolePolicy:RolePolicy", "-storage-mountpoint-s3"))
    reads = sorted(s["Resource"] for s in found.values() if s["Action"] == "s3:GetObject")
    assert reads == [
        "arn:aws:s3:::corp-llm-weights/llama-3.3-70b-instruct/*",
        "arn:aws:s3:::corp-llm-weights/qwen2.5-7b-instruct-awq/*",
    ]
    for s in found.values():
        if s["Action"] == "s3:ListBucket":
            assert s["Resource"] == "arn:aws:s3:::corp-llm-weights"
            (prefixes,) = s["Condition"]["StringLike"].values()
            assert all(p.startswith(("llama-3.3-70b-instruct/", "qwen2.5-7b-instruct-awq/")) for p in prefixes)
        assert not any(a in str(s["Action"]) for a in ("Put", "Delete", "*"))


def test_node_role_needs_nothing_so_imds_hop_limit_stays_1(reference):
    for lt in cloud(reference, "aws:ec2/launchTemplate:LaunchTemplate"):
        assert lt.inputs["metadataOptions"]["httpPutResponseHopLimit"] == 1
    for attachment in cloud(reference, "aws:iam/rolePolicyAttachment:RolePolicyAttachment"):
        if "-gpu-pools-node-" in attachment.name:
            assert "S3" not in attachment.inputs["policyArn"] and "KMS" not in attachment.inputs["policyArn"]


def test_whole_bucket_weights_list_without_a_prefix_condition():
    cfg = variant(models__1__weights={"uri": "s3://qwen-only", "revision": "0" * 40, "manifest_sha256": "0" * 64})
    found = {s["Sid"]: s for s in json.loads(weights_read_policy(cfg))["Statement"]}
    whole = [s for s in found.values() if s["Resource"] in ("arn:aws:s3:::qwen-only", "arn:aws:s3:::qwen-only/*")]
    assert len(whole) == 2 and all("Condition" not in s for s in whole)
