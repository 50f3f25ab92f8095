"""The kit's KMS key lets EC2 Auto Scaling launch node groups with encrypted root volumes."""

from __future__ import annotations

from privllm.infra.components.keys import AUTOSCALING_SERVICE_LINKED_ROLE
from tests.infra.inventory import cloud, statements


def test_autoscaling_service_linked_role_may_use_the_key_and_grant_for_volumes(reference):
    (key,) = cloud(reference, "aws:kms/key:Key")
    found = statements(key)
    principal = {"AWS": f"arn:aws:iam::ACCOUNT_ID:{AUTOSCALING_SERVICE_LINKED_ROLE}"}
    use = found["AutoScalingUsesTheKey"]
    assert use["Principal"] == principal and use["Effect"] == "Allow"
    assert set(use["Action"]) == {"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"}
    grant = found["AutoScalingGrantsForVolumes"]
    assert grant["Principal"] == principal and grant["Action"] == "kms:CreateGrant"
    assert grant["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": True}}


def test_launch_templates_use_the_kits_key(reference):
    for lt in cloud(reference, "aws:ec2/launchTemplate:LaunchTemplate"):
        assert lt.inputs["blockDeviceMappings"][0]["ebs"]["kmsKeyId"] == "arn:(known after apply):privllm-ref-keys-cmk"
