"""VPC endpoints reach only the kit's buckets; the gateway's security group."""

from __future__ import annotations

from tests.infra.inventory import named, policy


def _s3_endpoint(plan):
    return named(plan, "aws:ec2/vpcEndpoint:VpcEndpoint", "-network-s3")


def test_s3_endpoint_policy_names_the_kits_buckets_only(reference):
    doc = policy(_s3_endpoint(reference))
    resources = {r for s in doc["Statement"] for r in s["Resource"]}
    assert "*" not in resources
    buckets = {r.removeprefix("arn:aws:s3:::").split("/", 1)[0] for r in resources}
    assert buckets == {"corp-llm-weights", "corp-llm-inference", "corp-llm-training", "prod-eu-central-1-starport-layer-bucket"}


def test_weights_are_read_only_through_the_endpoint(reference):
    doc = policy(_s3_endpoint(reference))
    (weights,) = [s for s in doc["Statement"] if s["Sid"] == "ModelWeightsReadOnly"]
    assert set(weights["Action"]) == {"s3:GetObject", "s3:ListBucket"}


def test_route_table_routes_are_separate_resources(reference):
    rt = named(reference, "aws:ec2/routeTable:RouteTable", "-private-rt")
    assert "routes" not in rt.inputs  # inline routes would delete the transit gateway routes


def test_gateway_security_group_admits_clients_on_443_and_forwards_to_the_pods(reference):
    sg = named(reference, "aws:ec2/securityGroup:SecurityGroup", "-gateway-clients")
    (ingress,) = sg.inputs["ingress"]
    assert ingress["cidrBlocks"] == reference.cfg.network.gateway_ingress_cidrs and ingress["fromPort"] == 443
    (egress,) = sg.inputs["egress"]
    assert egress["fromPort"] == 8080 and egress["cidrBlocks"] == [reference.cfg.network.vpc_cidr]
