"""Storage on EKS: the EBS CSI driver with an encrypted gp3 StorageClass (the default, so Vault's
claims bind), and the Mountpoint for S3 driver allowed to read exactly the models' weights
prefixes. Both drivers get their AWS permissions through EKS Pod Identity, so the node role and
instance metadata carry none (IMDS hop limit stays 1)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from privllm.facts import LABEL_PART_OF, PROJECT
from privllm.infra.components.workload_identity import partition, policy_document, workload_role
from privllm.stack import StackConfig

EBS_CSI_SERVICE_ACCOUNT = "ebs-csi-controller-sa"
MOUNTPOINT_SERVICE_ACCOUNT = "s3-csi-driver-sa"
ADDON_NAMESPACE = "kube-system"
ENCRYPTED_STORAGE_CLASS = "privllm-gp3-encrypted"


def weights_prefixes(cfg: StackConfig) -> list[tuple[str, str]]:
    """(bucket, prefix) of every s3:// model; prefix without slashes at either end ("" = whole bucket)."""
    out = []
    for m in cfg.models:
        if m.weights.uri.startswith("s3://"):
            bucket, _, prefix = m.weights.uri.removeprefix("s3://").partition("/")
            if (bucket, prefix.strip("/")) not in out:
                out.append((bucket, prefix.strip("/")))
    return out


def weights_read_policy(cfg: StackConfig) -> str:
    """Read-only access to the weights prefixes and nothing else of their buckets."""
    part = partition(cfg.region)
    statements = []
    for i, (bucket, prefix) in enumerate(weights_prefixes(cfg)):
        listing: dict = {"Sid": f"ListWeights{i}", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:{part}:s3:::{bucket}"}
        if prefix:
            listing["Condition"] = {"StringLike": {"s3:prefix": [f"{prefix}/", f"{prefix}/*"]}}
        objects = f"arn:{part}:s3:::{bucket}/{prefix}/*" if prefix else f"arn:{part}:s3:::{bucket}/*"
        statements += [listing, {"Sid": f"ReadWeights{i}", "Effect": "Allow", "Action": "s3:GetObject", "Resource": objects}]
    return policy_document(*statements)


def ebs_kms_policy(key_arn: str) -> str:
    """The EBS CSI driver encrypts volumes with the kit's key: direct use, and grants for EBS only."""
    return policy_document(
        {
            "Sid": "GrantsForVolumes",
            "Effect": "Allow",
            "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
            "Resource": key_arn,
            "Condition": {"Bool": {"kms:GrantIsForAWSResource": True}},
        },
        {
            "Sid": "UseTheKey",
            "Effect": "Allow",
            "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
            "Resource": key_arn,
        },
    )


@dataclass
class StorageArgs:
    cfg: StackConfig
    cluster_name: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]
    depends_on: list | None = None  # the pod identity agent


class Storage(pulumi.ComponentResource):
    """AWS side (add-ons, roles); the StorageClass is created by :class:`StorageClasses` on the cluster."""

    def __init__(self, name: str, args: StorageArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("privllm:storage:Storage", name, None, opts)
        cfg = args.cfg
        part = partition(cfg.region)
        after_agent = pulumi.ResourceOptions(parent=self, depends_on=list(args.depends_on or []))
        ebs_role = workload_role(
            f"{name}-ebs-csi",
            policy=pulumi.Output.from_input(args.kms_key_arn).apply(ebs_kms_policy),
            managed_policy_arns=(f"arn:{part}:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",),
            parent=self,
        )
        self.ebs = aws.eks.Addon(
            f"{name}-aws-ebs-csi-driver",
            cluster_name=args.cluster_name,
            addon_name="aws-ebs-csi-driver",
            pod_identity_associations=[aws.eks.AddonPodIdentityAssociationArgs(role_arn=ebs_role.arn, service_account=EBS_CSI_SERVICE_ACCOUNT)],
            opts=after_agent,
        )
        addons = [self.ebs]
        if weights_prefixes(cfg):
            s3_role = workload_role(f"{name}-mountpoint-s3", policy=weights_read_policy(cfg), parent=self)
            addons.append(
                aws.eks.Addon(
                    f"{name}-aws-mountpoint-s3-csi-driver",
                    cluster_name=args.cluster_name,
                    addon_name="aws-mountpoint-s3-csi-driver",
                    pod_identity_associations=[
                        aws.eks.AddonPodIdentityAssociationArgs(role_arn=s3_role.arn, service_account=MOUNTPOINT_SERVICE_ACCOUNT)
                    ],
                    opts=after_agent,
                )
            )
        self.addons = addons
        self.register_outputs({"addons": [a.addon_name for a in addons]})


@dataclass
class StorageClassesArgs:
    kms_key_arn: pulumi.Input[str]
    depends_on: list | None = None  # the EBS CSI add-on


class StorageClasses(pulumi.ComponentResource):
    def __init__(self, name: str, args: StorageClassesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("privllm:storage:StorageClasses", name, None, opts)
        # The default class: claims that name none (Vault's data and audit volumes) bind to it.
        self.encrypted = k8s.storage.v1.StorageClass(
            f"{name}-gp3-encrypted",
            metadata={
                "name": ENCRYPTED_STORAGE_CLASS,
                "labels": {LABEL_PART_OF: PROJECT},
                "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
            },
            provisioner="ebs.csi.aws.com",
            parameters={"type": "gp3", "encrypted": "true", "kmsKeyId": args.kms_key_arn},
            volume_binding_mode="WaitForFirstConsumer",
            allow_volume_expansion=True,
            reclaim_policy="Retain",
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.depends_on or [])),
        )
        self.register_outputs({"storage_class": ENCRYPTED_STORAGE_CLASS})
