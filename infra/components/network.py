"""Network: a VPC with private subnets only; when air-gapped, no internet or NAT gateway,
and VPC endpoints for every AWS API the cluster needs."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from privllm.facts import GATEWAY_PORT
from privllm.infra.components.connectivity import Connectivity, ConnectivityArgs
from privllm.infra.components.workload_identity import partition
from privllm.stack import StackConfig

INTERFACE_ENDPOINTS = ("ecr.api", "ecr.dkr", "sts", "logs", "kms", "ec2", "elasticloadbalancing", "autoscaling", "eks", "eks-auth")
# Session Manager, for the in-VPC runner.
SSM_ENDPOINTS = ("ssm", "ssmmessages", "ec2messages")


def s3_buckets(cfg: StackConfig) -> tuple[list[str], list[str]]:
    """(read-only weights buckets, read-write data buckets) the kit names."""
    weights = sorted({m.weights.uri.removeprefix("s3://").split("/", 1)[0] for m in cfg.models if m.weights.uri.startswith("s3://")})
    data = sorted({b for b in (cfg.data.inference_bucket, cfg.data.training_bucket) if b})
    return weights, data


def s3_endpoint_policy(cfg: StackConfig) -> str:
    """The S3 gateway endpoint reaches the kit's buckets and ECR's image layers, nothing else:
    any other bucket in the region would be an exfiltration path."""
    part = partition(cfg.region)
    weights, data = s3_buckets(cfg)
    arns = lambda buckets: [a for b in buckets for a in (f"arn:{part}:s3:::{b}", f"arn:{part}:s3:::{b}/*")]  # noqa: E731
    statements = []
    if weights:
        statements.append({"Sid": "ModelWeightsReadOnly", "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": arns(weights)})
    if data:
        statements.append(
            {"Sid": "KitDataBuckets", "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"], "Resource": arns(data)}
        )
    # Images pulled through the ECR endpoints (EKS add-ons) store their layers in this bucket.
    statements.append(
        {"Sid": "EcrImageLayers", "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject"], "Resource": [f"arn:{part}:s3:::prod-{cfg.region}-starport-layer-bucket/*"]}
    )
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


@dataclass
class NetworkArgs:
    cfg: StackConfig
    kms_key_arn: pulumi.Input[str]


class Network(pulumi.ComponentResource):
    vpc_id: pulumi.Output[str]
    subnet_ids: list[pulumi.Output[str]]

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("privllm:network:Network", name, None, opts)
        cfg, net = args.cfg, args.cfg.network
        child = pulumi.ResourceOptions(parent=self)
        region = cfg.target.region
        tags = {"privllm:stack": cfg.target.cluster_name}

        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=net.vpc_cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={**tags, "Name": f"{cfg.target.cluster_name}-vpc"},
            opts=child,
        )
        # Nothing may use the default security group.
        aws.ec2.DefaultSecurityGroup(f"{name}-default-sg-locked", vpc_id=vpc.id, ingress=[], egress=[], tags=tags, opts=child)

        # Routes are separate resources (Connectivity): inline routes would fight them.
        route_table = aws.ec2.RouteTable(f"{name}-private-rt", vpc_id=vpc.id, tags=tags, opts=child)
        self.subnet_ids = []
        for zone, cidr in zip(net.availability_zones, net.private_subnets, strict=True):
            subnet = aws.ec2.Subnet(
                f"{name}-private-{zone}",
                vpc_id=vpc.id,
                cidr_block=cidr,
                availability_zone=zone,
                map_public_ip_on_launch=False,
                tags={**tags, "kubernetes.io/role/internal-elb": "1"},
                opts=child,
            )
            aws.ec2.RouteTableAssociation(f"{name}-private-{zone}-rta", subnet_id=subnet.id, route_table_id=route_table.id, opts=child)
            self.subnet_ids.append(subnet.id)

        if not cfg.mirror.air_gapped:
            pulumi.log.warn("air_gapped is false: the kit still creates no internet gateway; add egress deliberately")

        endpoint_sg = aws.ec2.SecurityGroup(
            f"{name}-endpoints",
            vpc_id=vpc.id,
            description="HTTPS from inside the VPC to AWS API endpoints",
            ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=443, to_port=443, cidr_blocks=[net.vpc_cidr])],
            egress=[],
            tags=tags,
            opts=child,
        )
        runner = cfg.aws is not None and cfg.eks.connectivity.runner is not None
        for service in INTERFACE_ENDPOINTS + (SSM_ENDPOINTS if runner else ()):
            aws.ec2.VpcEndpoint(
                f"{name}-{service.replace('.', '-')}",
                vpc_id=vpc.id,
                service_name=f"com.amazonaws.{region}.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=self.subnet_ids,
                security_group_ids=[endpoint_sg.id],
                tags=tags,
                opts=child,
            )
        aws.ec2.VpcEndpoint(
            f"{name}-s3",
            vpc_id=vpc.id,
            service_name=f"com.amazonaws.{region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[route_table.id],
            policy=s3_endpoint_policy(cfg),
            tags=tags,
            opts=child,
        )

        # Flow logs to an encrypted log group, retained as long as audit records.
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs",
            retention_in_days=cfg.telemetry.audit_retention_days,
            kms_key_id=args.kms_key_arn,
            tags=tags,
            opts=child,
        )
        role = aws.iam.Role(
            f"{name}-flow-logs",
            assume_role_policy=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"}}]}
            ),
            tags=tags,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-flow-logs",
            role=role.id,
            policy=log_group.arn.apply(
                lambda arn: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                                "Resource": f"{arn}:*",
                            }
                        ],
                    }
                )
            ),
            opts=child,
        )
        aws.ec2.FlowLog(
            f"{name}-flow-log",
            vpc_id=vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=log_group.arn,
            iam_role_arn=role.arn,
            tags=tags,
            opts=child,
        )
        # The gateway's internal load balancer: clients from the stack's CIDRs on HTTPS only; it
        # forwards to the gateway pods' port inside the VPC.
        self.gateway_sg = aws.ec2.SecurityGroup(
            f"{name}-gateway-clients",
            vpc_id=vpc.id,
            description="Gateway clients from the stack's ingress CIDRs",
            ingress=[
                aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=443, to_port=443, cidr_blocks=list(net.gateway_ingress_cidrs))
            ],
            egress=[
                aws.ec2.SecurityGroupEgressArgs(protocol="tcp", from_port=GATEWAY_PORT, to_port=GATEWAY_PORT, cidr_blocks=[net.vpc_cidr])
            ],
            tags=tags,
            opts=child,
        )
        self.vpc_id = vpc.id
        self.route_table_id = route_table.id
        self.connectivity = (
            Connectivity(f"{name}-connectivity", ConnectivityArgs(cfg, vpc.id, self.subnet_ids, route_table.id, args.kms_key_arn), opts=child)
            if cfg.aws is not None
            else None
        )
        self.register_outputs({"vpc_id": vpc.id, "subnet_ids": self.subnet_ids, "gateway_security_group": self.gateway_sg.id})
