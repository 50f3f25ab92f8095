package privllm.policies.l1_gateway_internal_load_balancer_test

import rego.v1

import data.privllm.policies.l1_gateway_internal_load_balancer as p

annotations := {
	"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
	"service.beta.kubernetes.io/aws-load-balancer-ssl-cert": "arn:aws:acm:eu-central-1:1:certificate/x",
	"service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "443",
	"service.beta.kubernetes.io/aws-load-balancer-security-groups": "sg-1",
}

svc(ann, ranges) := {
	"kind": "Service", "metadata": {"name": "llm-gateway-internal", "annotations": ann},
	"spec": {"type": "LoadBalancer", "loadBalancerClass": "service.k8s.aws/nlb", "loadBalancerSourceRanges": ranges, "selector": {"app.kubernetes.io/name": "llm-gateway"}},
}

cluster := {"kind": "CloudResource", "type": "aws:eks/cluster:Cluster", "metadata": {"name": "c"}, "inputs": {"name": "ref"}}

test_internal_tls_allowed if {
	count(p.deny) == 0 with input as svc(annotations, ["10.20.0.0/16"])
}

test_no_tls_denied if {
	count(p.deny) == 1 with input as svc(object.remove(annotations, ["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"]), ["10.20.0.0/16"])
}

test_internet_facing_denied if {
	count(p.deny) == 1 with input as svc(object.union(annotations, {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing"}), ["10.20.0.0/16"])
}

test_no_source_ranges_denied if {
	count(p.deny) == 1 with input as svc(annotations, [])
}

test_open_source_range_denied if {
	count(p.deny) == 1 with input as svc(annotations, ["10.20.0.0/16", "0.0.0.0/0"])
}

test_cluster_with_gateway_lb_allowed if {
	count(p.deny) == 0 with input as cluster with data.privllm.inventory as [svc(annotations, ["10.20.0.0/16"])]
}

test_cluster_without_gateway_lb_denied if {
	count(p.deny) == 1 with input as cluster with data.privllm.inventory as []
}

test_clusterip_service_ignored if {
	count(p.deny) == 0 with input as {"kind": "Service", "metadata": {"name": "x"}, "spec": {"type": "ClusterIP"}}
}
