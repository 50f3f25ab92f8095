"""The gateway's internal load balancer on EKS: the AWS Load Balancer Controller provisions an
internal NLB with a TLS listener (the stack's ACM certificate), the gateway_sg security group
(HTTPS from the client CIDRs only) and IP targets with client IP preservation, so the gateway's
own NetworkPolicy still sees, and limits, the client addresses."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from privllm.facts import LABEL_NAME, LABEL_PART_OF, PROJECT
from privllm.infra.components.base import mirror_chart, mirror_image
from privllm.infra.components.workload_identity import associate, policy_document, workload_role
from privllm.stack import StackConfig
from privllm.stack.naming import GATEWAY_RELEASE, names

NAMESPACE = "kube-system"
SERVICE_ACCOUNT = "aws-load-balancer-controller"
CLUSTER_TAG = "elbv2.k8s.aws/cluster"  # the controller tags what it creates with this key
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
HTTPS_PORT = 443
RESTRICTED_POD = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
RESTRICTED_CONTAINER = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "runAsNonRoot": True, "capabilities": {"drop": ["ALL"]}}


def controller_policy() -> str:
    """What the controller needs for NLBs with a given security group; writes only to what it tagged."""
    describe = [
        "ec2:DescribeAccountAttributes",
        "ec2:DescribeAvailabilityZones",
        "ec2:DescribeVpcs",
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeInstances",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeTags",
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
        "elasticloadbalancing:DescribeListeners",
        "elasticloadbalancing:DescribeListenerAttributes",
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetGroupAttributes",
        "elasticloadbalancing:DescribeTargetHealth",
        "elasticloadbalancing:DescribeTags",
        "elasticloadbalancing:DescribeSSLPolicies",
        "acm:DescribeCertificate",
        "acm:ListCertificates",
    ]
    create = ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup", "ec2:CreateSecurityGroup"]
    manage = [
        "elasticloadbalancing:CreateListener",
        "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:ModifyListener",
        "elasticloadbalancing:ModifyLoadBalancerAttributes",
        "elasticloadbalancing:SetSecurityGroups",
        "elasticloadbalancing:SetSubnets",
        "elasticloadbalancing:DeleteLoadBalancer",
        "elasticloadbalancing:ModifyTargetGroup",
        "elasticloadbalancing:ModifyTargetGroupAttributes",
        "elasticloadbalancing:DeleteTargetGroup",
        "elasticloadbalancing:RegisterTargets",
        "elasticloadbalancing:DeregisterTargets",
        "elasticloadbalancing:AddTags",
        "elasticloadbalancing:RemoveTags",
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:DeleteSecurityGroup",
        "ec2:CreateTags",
    ]
    return policy_document(
        {
            "Sid": "LoadBalancingServiceLinkedRole",
            "Effect": "Allow",
            "Action": "iam:CreateServiceLinkedRole",
            "Resource": "*",
            "Condition": {"StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}},
        },
        {"Sid": "Discover", "Effect": "Allow", "Action": describe, "Resource": "*"},
        {"Sid": "CreateTagged", "Effect": "Allow", "Action": create, "Resource": "*", "Condition": {"Null": {f"aws:RequestTag/{CLUSTER_TAG}": "false"}}},
        # Tagging at creation, then only resources it tagged (and the stack's gateway_sg, for backend rules).
        {"Sid": "TagOnCreate", "Effect": "Allow", "Action": ["elasticloadbalancing:AddTags", "ec2:CreateTags"], "Resource": "*",
         "Condition": {"StringEquals": {"elasticloadbalancing:CreateAction": ["CreateLoadBalancer", "CreateTargetGroup"]}}},
        {"Sid": "ManageTagged", "Effect": "Allow", "Action": manage, "Resource": "*", "Condition": {"Null": {f"aws:ResourceTag/{CLUSTER_TAG}": "false"}}},
    )


def controller_values(cfg: StackConfig, vpc_id: pulumi.Input[str]) -> dict:
    return {
        "clusterName": cfg.target.cluster_name,
        "region": cfg.target.region,
        "vpcId": vpc_id,
        "image": mirror_image(cfg, "aws-load-balancer-controller"),
        "replicaCount": 2,
        "serviceAccount": {"create": True, "name": SERVICE_ACCOUNT},
        # Only Services that ask for it (loadBalancerClass) get an NLB; nothing is mutated implicitly.
        "enableServiceMutatorWebhook": False,
        # NLBs only: no ALB IngressClass, and no calls to Shield or WAF (no endpoints for them here).
        "createIngressClassResource": False,
        "enableShield": False,
        "enableWaf": False,
        "enableWafv2": False,
        "podSecurityContext": RESTRICTED_POD,
        "securityContext": RESTRICTED_CONTAINER,
        "nodeSelector": {"privllm.io/pool": "system"},
    }


def service_annotations(cfg: StackConfig, security_group_id: str) -> dict[str, str]:
    prefix = "service.beta.kubernetes.io/aws-load-balancer-"
    return {
        prefix + "scheme": "internal",
        prefix + "nlb-target-type": "ip",
        prefix + "security-groups": security_group_id,
        prefix + "manage-backend-security-group-rules": "true",
        prefix + "ssl-cert": cfg.eks.gateway_certificate_arn,
        prefix + "ssl-ports": str(HTTPS_PORT),
        prefix + "ssl-negotiation-policy": TLS_POLICY,
        # The gateway's NetworkPolicy admits the client CIDRs: it must see the client's address.
        prefix + "target-group-attributes": "preserve_client_ip.enabled=true",
    }


@dataclass
class GatewayLoadBalancerArgs:
    cfg: StackConfig
    cluster_name: pulumi.Input[str]
    vpc_id: pulumi.Input[str]
    security_group_id: pulumi.Input[str]
    namespaces: dict | None = None
    depends_on: list | None = None


class GatewayLoadBalancer(pulumi.ComponentResource):
    def __init__(self, name: str, args: GatewayLoadBalancerArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("privllm:gateway_lb:GatewayLoadBalancer", name, None, opts)
        cfg = args.cfg
        n = names(cfg)
        role = workload_role(f"{name}-controller", policy=controller_policy(), parent=self)
        association = associate(
            f"{name}-controller", cluster_name=args.cluster_name, namespace=NAMESPACE, service_account=SERVICE_ACCOUNT, role=role, parent=self
        )
        controller = mirror_chart(
            f"{name}-aws-load-balancer-controller",
            cfg,
            "aws-load-balancer-controller",
            namespace=NAMESPACE,
            values=controller_values(cfg, args.vpc_id),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[association, *(args.depends_on or [])]),
        )
        ns_dep = [args.namespaces[n.gateway_ns]] if args.namespaces and n.gateway_ns in args.namespaces else []
        selector = {LABEL_NAME: GATEWAY_RELEASE, "app.kubernetes.io/instance": GATEWAY_RELEASE}
        self.service = k8s.core.v1.Service(
            f"{name}-service",
            metadata={
                "name": f"{n.gateway_fullname}-internal",
                "namespace": n.gateway_ns,
                "labels": {LABEL_PART_OF: PROJECT},
                "annotations": pulumi.Output.from_input(args.security_group_id).apply(lambda sg: service_annotations(cfg, sg)),
            },
            spec={
                "type": "LoadBalancer",
                "loadBalancerClass": "service.k8s.aws/nlb",
                "loadBalancerSourceRanges": list(cfg.network.gateway_ingress_cidrs),
                "selector": selector,
                "ports": [{"name": "https", "port": HTTPS_PORT, "targetPort": "http", "protocol": "TCP"}],
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[controller, *ns_dep]),
        )
        # NLB health checks come from the load balancer's own addresses in the private subnets.
        k8s.networking.v1.NetworkPolicy(
            f"{name}-health-checks",
            metadata={"name": f"{n.gateway_fullname}-load-balancer", "namespace": n.gateway_ns, "labels": {LABEL_PART_OF: PROJECT}},
            spec={
                "podSelector": {"matchLabels": selector},
                "policyTypes": ["Ingress"],
                "ingress": [{"from": [{"ipBlock": {"cidr": c}} for c in cfg.network.private_subnets], "ports": [{"protocol": "TCP", "port": "http"}]}],
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=ns_dep),
        )
        self.register_outputs({"service": self.service.metadata["name"]})
