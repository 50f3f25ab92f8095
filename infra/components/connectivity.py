"""Connectivity: the declared paths between the private VPC and the organisation's networks.

A transit gateway attachment with a route for every corporate network the stack names
(operators and CI, gateway clients, registry mirror, SIEM, external Vault, DNS resolvers);
Route 53 Resolver forwarding rules so nodes resolve the corporate zones; optionally an in-VPC
runner reached through SSM Session Manager (no inbound port) for operators and CI."""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from privllm.stack import StackConfig
from privllm.stack.model import Runner

DNS_PORT = 53
SSM_MANAGED_POLICY = "AmazonSSMManagedInstanceCore"


def corporate_routes(cfg: StackConfig) -> list[str]:
    """CIDRs outside the VPC that the stack names, each routed through the transit gateway once."""
    vpc = ipaddress.IPv4Network(cfg.network.vpc_cidr)
    conn = cfg.eks.connectivity
    wanted = list(conn.operator_cidrs) + list(cfg.network.gateway_ingress_cidrs) + [d.cidr for d in cfg.network.egress]
    wanted += [f"{ip}/32" for zone in conn.dns_forwarding for ip in zone.resolver_ips]
    routes: list[ipaddress.IPv4Network] = []
    for cidr in wanted:
        net = ipaddress.IPv4Network(cidr)
        if net.subnet_of(vpc) or any(net.subnet_of(r) for r in routes):
            continue
        routes = [r for r in routes if not r.subnet_of(net)] + [net]
    return [str(r) for r in routes]


@dataclass
class ConnectivityArgs:
    cfg: StackConfig
    vpc_id: pulumi.Input[str]
    subnet_ids: list
    route_table_id: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]


class Connectivity(pulumi.ComponentResource):
    runner_role_arn: pulumi.Output[str] | None

    def __init__(self, name: str, args: ConnectivityArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("privllm:connectivity:Connectivity", name, None, opts)
        cfg, conn = args.cfg, args.cfg.eks.connectivity
        child = pulumi.ResourceOptions(parent=self)
        tags = {"privllm:stack": cfg.target.cluster_name}
        outputs: dict = {}
        if conn.transit_gateway:
            attachment = aws.ec2transitgateway.VpcAttachment(
                f"{name}-tgw",
                transit_gateway_id=conn.transit_gateway.id,
                vpc_id=args.vpc_id,
                subnet_ids=args.subnet_ids,
                dns_support="enable",
                tags=tags,
                opts=child,
            )
            for cidr in corporate_routes(cfg):
                aws.ec2.Route(
                    f"{name}-to-{cidr.replace('.', '-').replace('/', '-')}",
                    route_table_id=args.route_table_id,
                    destination_cidr_block=cidr,
                    transit_gateway_id=conn.transit_gateway.id,
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[attachment]),
                )
            outputs["transit_gateway_attachment"] = attachment.id
        if conn.dns_forwarding:
            self._resolver(name, args, tags)
        if conn.operator_cidrs:
            outputs["api_dns_resolver"] = self._inbound_resolver(name, args, tags)
        self.runner_role_arn = self._runner(name, args, conn.runner, tags) if conn.runner else None
        self.register_outputs(outputs)

    def _resolver(self, name: str, args: ConnectivityArgs, tags: dict) -> None:
        cfg, conn = args.cfg, args.cfg.eks.connectivity
        child = pulumi.ResourceOptions(parent=self)
        resolver_cidrs = sorted({f"{ip}/32" for zone in conn.dns_forwarding for ip in zone.resolver_ips})
        sg = aws.ec2.SecurityGroup(
            f"{name}-resolver",
            vpc_id=args.vpc_id,
            description="Route 53 Resolver outbound endpoint: DNS to the corporate resolvers only",
            ingress=[
                aws.ec2.SecurityGroupIngressArgs(protocol=p, from_port=DNS_PORT, to_port=DNS_PORT, cidr_blocks=[cfg.network.vpc_cidr])
                for p in ("udp", "tcp")
            ],
            egress=[
                aws.ec2.SecurityGroupEgressArgs(protocol=p, from_port=DNS_PORT, to_port=DNS_PORT, cidr_blocks=resolver_cidrs)
                for p in ("udp", "tcp")
            ],
            tags=tags,
            opts=child,
        )
        # Two addresses in two zones: the minimum Route 53 Resolver accepts, and zone-redundant.
        endpoint = aws.route53.ResolverEndpoint(
            f"{name}-outbound",
            direction="OUTBOUND",
            security_group_ids=[sg.id],
            ip_addresses=[aws.route53.ResolverEndpointIpAddressArgs(subnet_id=s) for s in args.subnet_ids[:2]],
            tags=tags,
            opts=child,
        )
        for zone in conn.dns_forwarding:
            label = zone.domain.replace(".", "-")
            rule = aws.route53.ResolverRule(
                f"{name}-forward-{label}",
                domain_name=zone.domain,
                rule_type="FORWARD",
                resolver_endpoint_id=endpoint.id,
                target_ips=[aws.route53.ResolverRuleTargetIpArgs(ip=ip, port=DNS_PORT) for ip in zone.resolver_ips],
                tags=tags,
                opts=child,
            )
            aws.route53.ResolverRuleAssociation(f"{name}-forward-{label}", resolver_rule_id=rule.id, vpc_id=args.vpc_id, opts=child)

    def _inbound_resolver(self, name: str, args: ConnectivityArgs, tags: dict) -> pulumi.Output:
        """The private API endpoint's name resolves only inside the VPC: the corporate DNS forwards
        the cluster's endpoint zone to these addresses so operators and CI can resolve it."""
        cfg, operators = args.cfg, list(args.cfg.eks.connectivity.operator_cidrs)
        sg = aws.ec2.SecurityGroup(
            f"{name}-resolver-inbound",
            vpc_id=args.vpc_id,
            description="Route 53 Resolver inbound endpoint: DNS from the operators' networks only",
            ingress=[aws.ec2.SecurityGroupIngressArgs(protocol=p, from_port=DNS_PORT, to_port=DNS_PORT, cidr_blocks=operators) for p in ("udp", "tcp")],
            egress=[],
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        endpoint = aws.route53.ResolverEndpoint(
            f"{name}-inbound",
            direction="INBOUND",
            security_group_ids=[sg.id],
            ip_addresses=[aws.route53.ResolverEndpointIpAddressArgs(subnet_id=s) for s in args.subnet_ids[:2]],
            tags={**tags, "privllm:forward-zone": f"eks.{cfg.region}.amazonaws.com"},
            opts=pulumi.ResourceOptions(parent=self),
        )
        return endpoint.ip_addresses

    def _runner(self, name: str, args: ConnectivityArgs, runner: Runner, tags: dict) -> pulumi.Output[str]:
        cfg = args.cfg
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            f"{name}-runner",
            assume_role_policy=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}}]}
            ),
            tags=tags,
            opts=child,
        )
        aws.iam.RolePolicyAttachment(f"{name}-runner-ssm", role=role.name, policy_arn=f"arn:aws:iam::aws:policy/{SSM_MANAGED_POLICY}", opts=child)
        profile = aws.iam.InstanceProfile(f"{name}-runner", role=role.name, opts=child)
        # No inbound rule: Session Manager connects out through the VPC endpoints.
        sg = aws.ec2.SecurityGroup(
            f"{name}-runner",
            vpc_id=args.vpc_id,
            description="In-VPC runner: HTTPS to the API server and AWS endpoints inside the VPC only",
            ingress=[],
            egress=[aws.ec2.SecurityGroupEgressArgs(protocol="tcp", from_port=443, to_port=443, cidr_blocks=[cfg.network.vpc_cidr])],
            tags=tags,
            opts=child,
        )
        aws.ec2.Instance(
            f"{name}-runner",
            ami=runner.ami_id,
            instance_type=runner.instance_type,
            subnet_id=args.subnet_ids[0],
            vpc_security_group_ids=[sg.id],
            iam_instance_profile=profile.name,
            associate_public_ip_address=False,
            metadata_options=aws.ec2.InstanceMetadataOptionsArgs(http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1),
            root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(encrypted=True, kms_key_id=args.kms_key_arn, volume_type="gp3"),
            tags={**tags, "Name": f"{cfg.target.cluster_name}-runner"},
            opts=child,
        )
        return role.arn
