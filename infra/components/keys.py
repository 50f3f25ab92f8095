"""Keys: one customer-managed KMS key (rotated) for Kubernetes secrets, volumes, logs and Vault unseal."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from privllm.infra.components.workload_identity import partition
from privllm.stack import StackConfig

# The role EC2 Auto Scaling launches node-group instances with; it needs the key for the
# encrypted root volumes of the launch templates, or node groups launch no instances.
AUTOSCALING_SERVICE_LINKED_ROLE = "role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"


def autoscaling_statements(account: str, part: str) -> list[dict]:
    """The two key-policy statements AWS documents for Auto Scaling with a customer managed key:
    direct use of the key, and grants for the EBS volumes it attaches (AWS resources only)."""
    principal = {"AWS": f"arn:{part}:iam::{account}:{AUTOSCALING_SERVICE_LINKED_ROLE}"}
    return [
        {
            "Sid": "AutoScalingUsesTheKey",
            "Effect": "Allow",
            "Principal": principal,
            "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
            "Resource": "*",
        },
        {
            "Sid": "AutoScalingGrantsForVolumes",
            "Effect": "Allow",
            "Principal": principal,
            "Action": "kms:CreateGrant",
            "Resource": "*",
            "Condition": {"Bool": {"kms:GrantIsForAWSResource": True}},
        },
    ]


@dataclass
class KeysArgs:
    cfg: StackConfig


class Keys(pulumi.ComponentResource):
    key_arn: pulumi.Output[str]

    def __init__(self, name: str, args: KeysArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("privllm:keys:Keys", name, None, opts)
        cfg = args.cfg
        part = partition(cfg.region)
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        policy = identity.account_id.apply(
            lambda account: json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "AccountAdministers",
                            "Effect": "Allow",
                            "Principal": {"AWS": f"arn:{part}:iam::{account}:root"},
                            "Action": "kms:*",
                            "Resource": "*",
                        },
                        {
                            "Sid": "CloudWatchLogsEncrypt",
                            "Effect": "Allow",
                            "Principal": {"Service": f"logs.{cfg.target.region}.amazonaws.com"},
                            "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                            "Resource": "*",
                        },
                        *autoscaling_statements(account, part),
                    ],
                }
            )
        )
        key = aws.kms.Key(
            f"{name}-cmk",
            description=f"privllm {cfg.target.cluster_name}: secrets, volumes, logs, Vault unseal",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=policy,
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.kms.Alias(f"{name}-alias", name=f"alias/privllm-{cfg.target.cluster_name}", target_key_id=key.key_id, opts=pulumi.ResourceOptions(parent=self))
        self.key_arn = key.arn
        self.register_outputs({"key_arn": key.arn})
