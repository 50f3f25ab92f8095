# METADATA
# title: Clients reach the gateway through an internal TLS load balancer limited to their networks
# description: >-
#   On EKS the gateway is published by an internal NLB: a TLS listener with a certificate, a
#   security group of the stack's own, and source ranges that name the client networks (never
#   0.0.0.0/0). A cluster with no such load balancer leaves the gateway unreachable to clients.
# custom:
#   id: PLLM-L1-037
#   layer: 1
#   severity: high
#   controls: [CIS-EKS-5.4.5, AWS-FSBP:ELB.17, NSA-CISA:network-separation]
#   kinds: [Service, CloudResource]
#   gatekeeper: false
package privllm.policies.l1_gateway_internal_load_balancer

import rego.v1

import data.privllm.lib.kubernetes as k

prefix := "service.beta.kubernetes.io/aws-load-balancer-"

annotation(svc, name) := object.get(svc, ["metadata", "annotations", concat("", [prefix, name])], "")

aws_load_balancer(svc) if {
	svc.spec.type == "LoadBalancer"
	object.get(svc.spec, "loadBalancerClass", "") == "service.k8s.aws/nlb"
}

serves_gateway(svc) if svc.spec.selector["app.kubernetes.io/name"] == "llm-gateway"

deny contains msg if {
	input.kind == "Service"
	aws_load_balancer(input)
	some name in ["ssl-cert", "ssl-ports", "security-groups"]
	annotation(input, name) == ""
	msg := sprintf("load balancer Service %s has no %s%s annotation (TLS listener and the stack's security group)", [k.name, prefix, name])
}

deny contains msg if {
	input.kind == "Service"
	aws_load_balancer(input)
	annotation(input, "scheme") != "internal"
	msg := sprintf("load balancer Service %s is not internal", [k.name])
}

deny contains msg if {
	input.kind == "Service"
	aws_load_balancer(input)
	count(object.get(input.spec, "loadBalancerSourceRanges", [])) == 0
	msg := sprintf("load balancer Service %s names no loadBalancerSourceRanges: limit it to the client networks", [k.name])
}

deny contains msg if {
	input.kind == "Service"
	aws_load_balancer(input)
	some cidr in object.get(input.spec, "loadBalancerSourceRanges", [])
	endswith(cidr, "/0")
	msg := sprintf("load balancer Service %s admits %s", [k.name, cidr])
}

deny contains msg if {
	input.type == "aws:eks/cluster:Cluster"
	count([s | some s in k.inventory_of("Service"); aws_load_balancer(s); serves_gateway(s)]) == 0
	msg := sprintf("EKS cluster %s publishes the gateway through no internal load balancer: clients cannot reach it", [k.name])
}
