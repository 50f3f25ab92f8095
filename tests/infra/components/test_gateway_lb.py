"""The gateway's internal NLB: TLS, gateway_sg, the client CIDRs only."""

from __future__ import annotations

from privllm.infra.components.gateway_lb import SERVICE_ACCOUNT, TLS_POLICY
from tests.infra.inventory import named, objects, statements

PREFIX = "service.beta.kubernetes.io/aws-load-balancer-"


def _service(plan):
    (svc,) = [s for s in objects(plan, "Service") if s["spec"].get("type") == "LoadBalancer"]
    return svc


def test_gateway_service_is_an_internal_tls_nlb_with_gateway_sg(reference):
    cfg = reference.cfg
    svc = _service(reference)
    ann = svc["metadata"]["annotations"]
    assert svc["metadata"]["namespace"] == "privllm-gateway"
    assert svc["spec"]["loadBalancerClass"] == "service.k8s.aws/nlb"
    assert ann[PREFIX + "scheme"] == "internal"
    assert ann[PREFIX + "security-groups"] == "privllm-ref-network-gateway-clients-id"
    assert ann[PREFIX + "ssl-cert"] == cfg.aws.gateway_certificate_arn
    assert ann[PREFIX + "ssl-ports"] == "443" and ann[PREFIX + "ssl-negotiation-policy"] == TLS_POLICY
    assert ann[PREFIX + "target-group-attributes"] == "preserve_client_ip.enabled=true"
    assert svc["spec"]["loadBalancerSourceRanges"] == cfg.network.gateway_ingress_cidrs
    assert svc["spec"]["ports"] == [{"name": "https", "port": 443, "targetPort": "http", "protocol": "TCP"}]


def test_service_selects_the_gateway_pods(reference):
    svc = _service(reference)
    dep = next(o for o in objects(reference, "Deployment") if o["metadata"]["name"] == "llm-gateway")
    labels = dep["spec"]["template"]["metadata"]["labels"]
    assert svc["spec"]["selector"].items() <= labels.items()


def test_only_the_private_subnets_reach_the_pods_for_health_checks(reference):
    (np,) = [o for o in objects(reference, "NetworkPolicy") if o["metadata"]["name"] == "llm-gateway-load-balancer"]
    (rule,) = np["spec"]["ingress"]
    assert [b["ipBlock"]["cidr"] for b in rule["from"]] == reference.cfg.network.private_subnets
    assert rule["ports"] == [{"protocol": "TCP", "port": "http"}]


def test_controller_from_the_mirror_with_its_pod_identity(reference):
    cfg = reference.cfg
    (release,) = [r for r in reference.releases if r.name.endswith("-aws-load-balancer-controller")]
    assert release.inputs["version"] == cfg.mirror.charts["aws-load-balancer-controller"].version
    values = release.inputs["values"]
    assert values["clusterName"] == cfg.target.cluster_name and values["vpcId"] == "privllm-ref-network-vpc-id"
    assert values["image"]["repository"].startswith(cfg.mirror.image_registry + "/")
    assert values["serviceAccount"]["name"] == SERVICE_ACCOUNT
    found = statements(named(reference, "aws:iam/rolePolicy:RolePolicy", "-gateway-lb-controller"))
    assert found["ManageTagged"]["Condition"] == {"Null": {"aws:ResourceTag/elbv2.k8s.aws/cluster": "false"}}
    assert all("*" not in a for s in found.values() for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"]))


def test_no_load_balancer_outside_eks(plans):
    for stack in ("local", "onprem"):
        assert not [s for s in objects(plans[stack], "Service") if s["spec"].get("type") == "LoadBalancer"]
