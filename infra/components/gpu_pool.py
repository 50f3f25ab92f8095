"""Node pools: one EKS node group per GPU pool (tainted, labelled, encrypted root volume,
IMDSv2 with hop limit 1: workloads get AWS access through Pod Identity, never the node) plus a
small system pool; optional capacity reservations / capacity blocks and EFA (every network
card, one zone, a cluster placement group, a security group open only to itself); the NVIDIA
device plugin, and on EFA pools the AWS EFA device plugin, from the mirror. The Cluster Autoscaler owns the desired size after creation."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from privllm.facts import LABEL_GPU_POOL
from privllm.infra.components.base import mirror_chart, mirror_image
from privllm.stack import StackConfig
from privllm.stack.model import EFA_NETWORK_CARDS
from privllm.stack.naming import names

NODE_POLICIES = ("AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly", "AmazonEKS_CNI_Policy")
SYSTEM_INSTANCE_TYPE = "m6i.2xlarge"

_EFFECTS = {"NoSchedule": "NO_SCHEDULE", "PreferNoSchedule": "PREFER_NO_SCHEDULE", "NoExecute": "NO_EXECUTE"}


@dataclass
class GpuNodePoolsArgs:
    cfg: StackConfig
    cluster_name: pulumi.Input[str] | None = None
    subnet_ids: list | None = None
    kms_key_arn: pulumi.Input[str] | None = None
    namespace: pulumi.Resource | None = None
    vpc_id: pulumi.Input[str] | None = None
    # The EKS cluster security group: launch templates that declare interfaces (EFA) must name it.
    cluster_security_group_id: pulumi.Input[str] | None = None


class GpuNodePools(pulumi.ComponentResource):
    def __init__(self, name: str, args: GpuNodePoolsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("privllm:gpu_pool:GpuNodePools", name, None, opts)
        cfg = args.cfg
        child = pulumi.ResourceOptions(parent=self)
        groups = {}
        if cfg.target.kind == "eks":
            role = aws.iam.Role(
                f"{name}-node",
                assume_role_policy=json.dumps(
                    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}}]}
                ),
                opts=child,
            )
            for policy in NODE_POLICIES:
                aws.iam.RolePolicyAttachment(f"{name}-node-{policy}", role=role.name, policy_arn=f"arn:aws:iam::aws:policy/{policy}", opts=child)
            groups["system"] = self._node_group(
                name, "system", args, role, [SYSTEM_INSTANCE_TYPE], "AL2023_x86_64_STANDARD", 3, 6, {"privllm.io/pool": "system"}, [], 100
            )
            for pool in cfg.gpu_pools:
                groups[pool.name] = self._node_group(
                    name,
                    pool.name,
                    args,
                    role,
                    [pool.instance_type],
                    "AL2023_x86_64_NVIDIA",
                    pool.min_nodes,
                    pool.max_nodes,
                    {LABEL_GPU_POOL: pool.name, "nvidia.com/gpu.present": "true", **pool.labels},
                    [aws.eks.NodeGroupTaintArgs(key=t.key, value=t.value, effect=_EFFECTS[t.effect]) for t in pool.taints],
                    500,
                    gpu_pool=pool,
                )
        if cfg.gpu_pools:
            image = mirror_image(cfg, "nvidia-device-plugin")
            mirror_chart(
                f"{name}-nvidia-device-plugin",
                cfg,
                "nvidia-device-plugin",
                namespace=names(cfg).gpu_ns,
                values={
                    "image": image,
                    "nodeSelector": {"nvidia.com/gpu.present": "true"},
                    "tolerations": [
                        {"key": t.key, "operator": "Exists", "effect": t.effect} for pool in cfg.gpu_pools for t in pool.taints
                    ],
                },
                opts=pulumi.ResourceOptions(parent=self, depends_on=[args.namespace] if args.namespace else []),
            )
        efa_pools = [pool for pool in cfg.gpu_pools if pool.efa] if cfg.target.kind == "eks" else []
        if efa_pools:
            self._efa_device_plugin(name, cfg, efa_pools, args)
        self.register_outputs({"node_groups": {k: v.id for k, v in groups.items()}})

    def _efa_device_plugin(self, name: str, cfg: StackConfig, efa_pools: list, args: GpuNodePoolsArgs) -> None:
        """The AWS EFA device plugin: without it no node advertises vpc.amazonaws.com/efa and
        multi-node pods that request it never schedule.

        Installed whenever a pool has efa: true, not only when a multi-node model runs there: the
        pool's nodes carry EFA interfaces either way, and a model that turns multi-node later must
        not depend on a node agent appearing in the same update as its pods."""
        mirror_chart(
            f"{name}-aws-efa-k8s-device-plugin",
            cfg,
            "aws-efa-k8s-device-plugin",
            namespace=names(cfg).gpu_ns,
            values={
                "image": mirror_image(cfg, "aws-efa-k8s-device-plugin"),
                # The chart's required node affinity matches these keys/values (In): only EFA pools' nodes.
                "supportedInstanceLabels": {"keys": [LABEL_GPU_POOL], "values": [pool.name for pool in efa_pools]},
                "tolerations": [{"key": t.key, "operator": "Exists", "effect": t.effect} for pool in efa_pools for t in pool.taints],
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[args.namespace] if args.namespace else []),
        )

    def _efa(self, name: str, pool: str, args: GpuNodePoolsArgs, instance_type: str) -> dict:
        """Launch-template pieces for EFA: an interface per network card, all in one security group
        that admits only itself (EFA's OS-bypass traffic), in a cluster placement group."""
        child = pulumi.ResourceOptions(parent=self)
        sg = aws.ec2.SecurityGroup(
            f"{name}-{pool}-efa",
            vpc_id=args.vpc_id,
            description=f"EFA traffic between the nodes of GPU pool {pool} only",
            ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="-1", from_port=0, to_port=0, self=True)],
            egress=[aws.ec2.SecurityGroupEgressArgs(protocol="-1", from_port=0, to_port=0, self=True)],
            opts=child,
        )
        placement = aws.ec2.PlacementGroup(f"{name}-{pool}-placement", name=f"{args.cfg.target.cluster_name}-{pool}-efa", strategy="cluster", opts=child)
        groups = pulumi.Output.all(sg.id, args.cluster_security_group_id).apply(lambda ids: [i for i in ids if i])
        interfaces = [
            aws.ec2.LaunchTemplateNetworkInterfaceArgs(
                network_card_index=card, device_index=0 if card == 0 else 1, interface_type="efa", security_groups=groups, delete_on_termination="true"
            )
            for card in range(EFA_NETWORK_CARDS[instance_type])
        ]
        return {"network_interfaces": interfaces, "placement": aws.ec2.LaunchTemplatePlacementArgs(group_name=placement.name)}

    @staticmethod
    def _capacity(pool) -> dict:
        reservation = pool.capacity_reservation
        if reservation is None:
            return {}
        spec = {
            "capacity_reservation_specification": aws.ec2.LaunchTemplateCapacityReservationSpecificationArgs(
                capacity_reservation_target=aws.ec2.LaunchTemplateCapacityReservationSpecificationCapacityReservationTargetArgs(
                    capacity_reservation_id=reservation.id
                )
            )
        }
        if reservation.kind == "block":
            spec["instance_market_options"] = aws.ec2.LaunchTemplateInstanceMarketOptionsArgs(market_type="capacity-block")
        return spec

    def _node_group(self, name, pool, args, role, instance_types, ami, min_nodes, max_nodes, labels, taints, disk_gb, gpu_pool=None):
        child = pulumi.ResourceOptions(parent=self)
        extra = self._capacity(gpu_pool) if gpu_pool else {}
        subnets = args.subnet_ids
        zones = args.cfg.network.availability_zones
        if gpu_pool is not None and gpu_pool.capacity_reservation is not None:
            # A reservation or block holds capacity in one zone; elsewhere launches would fail.
            subnets = [args.subnet_ids[zones.index(gpu_pool.capacity_reservation.availability_zone)]]
        if gpu_pool is not None and gpu_pool.efa:
            extra.update(self._efa(name, pool, args, gpu_pool.instance_type))
            subnets = subnets[:1]  # EFA peers must share a zone (and a placement group)
        block = gpu_pool is not None and gpu_pool.capacity_reservation is not None and gpu_pool.capacity_reservation.kind == "block"
        template = aws.ec2.LaunchTemplate(
            f"{name}-{pool}-lt",
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1, instance_metadata_tags="disabled"
            ),
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    device_name="/dev/xvda",
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        encrypted="true", kms_key_id=args.kms_key_arn, volume_size=disk_gb, volume_type="gp3", delete_on_termination="true"
                    ),
                )
            ],
            **extra,
            opts=child,
        )
        return aws.eks.NodeGroup(
            f"{name}-{pool}",
            cluster_name=args.cluster_name,
            node_role_arn=role.arn,
            subnet_ids=subnets,
            capacity_type="CAPACITY_BLOCK" if block else "ON_DEMAND",
            instance_types=instance_types,
            ami_type=ami,
            scaling_config=aws.eks.NodeGroupScalingConfigArgs(min_size=min_nodes, max_size=max_nodes, desired_size=max(min_nodes, 1 if pool == "system" else min_nodes)),
            labels=labels,
            taints=taints,
            launch_template=aws.eks.NodeGroupLaunchTemplateArgs(id=template.id, version=template.latest_version.apply(str)),
            # The Cluster Autoscaler moves the desired size; a later `up` must not reset it.
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["scalingConfig.desiredSize"]),
        )
