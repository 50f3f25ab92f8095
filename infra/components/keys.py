"""Keys: one customer-managed KMS key (rotated) for Kubernetes secrets, volumes, logs and Vault unseal."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from privllm.stack import StackConfig


@dataclass
class KeysArgs:
    cfg: StackConfig


class Keys(pulumi.ComponentResource):
    key_arn: pulumi.Output[str]

    def __init__(self, name: str, args: KeysArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("privllm:keys:Keys", name, None, opts)
        cfg = args.cfg
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        policy = identity.account_id.apply(
            lambda account: json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "AccountAdministers",
                            "Effect": "Allow",
                            "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
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
