"""The path in (transit gateway, SSM runner) and the corporate routes and DNS zones."""

from __future__ import annotations

import ipaddress

from privllm.infra.components.connectivity import corporate_routes
from privllm.infra.plan import build
from tests.infra.inventory import cloud, named, variant

ROUTE = "aws:ec2/route:Route"


def test_transit_gateway_attachment_in_every_private_subnet(reference):
    (attachment,) = cloud(reference, "aws:ec2transitgateway/vpcAttachment:VpcAttachment")
    assert attachment.inputs["transitGatewayId"] == reference.cfg.aws.connectivity.transit_gateway.id
    assert len(attachment.inputs["subnetIds"]) == len(reference.cfg.network.private_subnets)


def test_every_corporate_network_is_routed_through_the_transit_gateway(reference):
    cfg = reference.cfg
    routes = {r.inputs["destinationCidrBlock"]: r.inputs for r in cloud(reference, ROUTE)}
    for r in routes.values():
        assert r["transitGatewayId"] == cfg.aws.connectivity.transit_gateway.id
        assert r["routeTableId"].endswith("private-rt-id")
    needed = cfg.aws.connectivity.operator_cidrs + cfg.network.gateway_ingress_cidrs + [d.cidr for d in cfg.network.egress]
    for cidr in needed:
        assert any(ipaddress.IPv4Network(cidr).subnet_of(ipaddress.IPv4Network(r)) for r in routes), cidr
    resolvers = [f"{ip}/32" for z in cfg.aws.connectivity.dns_forwarding for ip in z.resolver_ips]
    assert set(resolvers) <= set(routes)
    assert "0.0.0.0/0" not in routes


def test_routes_are_merged_and_skip_the_vpc():
    cfg = variant(network__egress=[{"name": "wide", "cidr": "10.50.0.0/16", "ports": [443]}, {"name": "narrow", "cidr": "10.50.10.0/24", "ports": [6514]},
                                   {"name": "inside", "cidr": "10.40.200.0/24", "ports": [53]}],
                  telemetry__siem=[{"name": "corp-siem", "protocol": "syslog-tls", "endpoint": "siem.corp.internal:443"}])
    routes = corporate_routes(cfg)
    assert "10.50.0.0/16" in routes and "10.50.10.0/24" not in routes
    assert "10.40.200.0/24" not in routes


def test_corporate_zones_are_forwarded_to_the_corporate_resolvers(reference):
    cfg = reference.cfg
    (zone,) = cfg.aws.connectivity.dns_forwarding
    (endpoint,) = [e for e in cloud(reference, "aws:route53/resolverEndpoint:ResolverEndpoint") if e.inputs["direction"] == "OUTBOUND"]
    assert len(endpoint.inputs["ipAddresses"]) == 2
    (rule,) = cloud(reference, "aws:route53/resolverRule:ResolverRule")
    assert rule.inputs["domainName"] == zone.domain and rule.inputs["ruleType"] == "FORWARD"
    assert [t["ip"] for t in rule.inputs["targetIps"]] == zone.resolver_ips
    assert all(t["port"] == 53 for t in rule.inputs["targetIps"])
    (assoc,) = cloud(reference, "aws:route53/resolverRuleAssociation:ResolverRuleAssociation")
    assert assoc.inputs["vpcId"].endswith("vpc-id")
    sg = named(reference, "aws:ec2/securityGroup:SecurityGroup", "-resolver")
    assert {c for e in sg.inputs["egress"] for c in e["cidrBlocks"]} == {f"{ip}/32" for ip in zone.resolver_ips}


def test_operators_resolve_the_private_api_name_through_an_inbound_endpoint(reference):
    (inbound,) = [e for e in cloud(reference, "aws:route53/resolverEndpoint:ResolverEndpoint") if e.inputs["direction"] == "INBOUND"]
    assert len(inbound.inputs["ipAddresses"]) == 2
    sg = named(reference, "aws:ec2/securityGroup:SecurityGroup", "-resolver-inbound")
    assert {(r["protocol"], r["fromPort"]) for r in sg.inputs["ingress"]} == {("udp", 53), ("tcp", 53)}
    assert all(r["cidrBlocks"] == reference.cfg.aws.connectivity.operator_cidrs for r in sg.inputs["ingress"])
    assert sg.inputs["egress"] == []


def test_in_vpc_runner_is_reached_through_ssm_only(reference):
    (instance,) = cloud(reference, "aws:ec2/instance:Instance")
    assert instance.inputs["ami"] == reference.cfg.aws.connectivity.runner.ami_id
    assert instance.inputs["associatePublicIpAddress"] is False
    assert instance.inputs["metadataOptions"]["httpTokens"] == "required"
    assert instance.inputs["rootBlockDevice"]["encrypted"] is True and instance.inputs["rootBlockDevice"]["kmsKeyId"]
    sg = named(reference, "aws:ec2/securityGroup:SecurityGroup", "-runner")
    assert sg.inputs["ingress"] == []
    ssm = named(reference, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "-runner-ssm")
    assert ssm.inputs["policyArn"].endswith("/AmazonSSMManagedInstanceCore")
    services = {e.inputs["serviceName"].rsplit(".", 1)[-1] for e in cloud(reference, "aws:ec2/vpcEndpoint:VpcEndpoint")}
    assert {"ssm", "ssmmessages", "ec2messages"} <= services


def test_operators_reach_the_api_endpoint_on_443(reference):
    api = named(reference, "aws:ec2/securityGroup:SecurityGroup", "-cluster-api")
    (rule,) = api.inputs["ingress"]
    assert rule["fromPort"] == rule["toPort"] == 443
    assert set(reference.cfg.aws.connectivity.operator_cidrs) <= set(rule["cidrBlocks"])


def test_runner_only_stack_has_no_transit_gateway():
    cfg = variant(
        aws__connectivity__transit_gateway=None,
        aws__connectivity__operator_cidrs=[],
        network__gateway_ingress_cidrs=["10.40.128.0/20"],
        network__egress=[{"name": "siem", "cidr": "10.40.250.0/24", "ports": [6514]}],
        aws__connectivity__dns_forwarding=[{"domain": "corp.internal", "resolver_ips": ["10.40.250.10", "10.40.250.11"]}],
    )
    plan = build(cfg, "runner-only")
    assert not cloud(plan, "aws:ec2transitgateway/vpcAttachment:VpcAttachment")
    assert not cloud(plan, ROUTE)
    assert len(cloud(plan, "aws:ec2/instance:Instance")) == 1
    assert [e.inputs["direction"] for e in cloud(plan, "aws:route53/resolverEndpoint:ResolverEndpoint")] == ["OUTBOUND"]
