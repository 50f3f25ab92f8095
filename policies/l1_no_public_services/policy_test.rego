package privllm.policies.l1_no_public_services_test

import rego.v1

import data.privllm.policies.l1_no_public_services as p

svc(type, annotations) := {"kind": "Service", "metadata": {"name": "s", "annotations": annotations}, "spec": {"type": type}}

test_cluster_ip_allowed if {
	count(p.deny) == 0 with input as svc("ClusterIP", {})
}

test_public_lb_denied if {
	count(p.deny) == 1 with input as svc("LoadBalancer", {})
}

test_internal_lb_allowed if {
	count(p.deny) == 0 with input as svc("LoadBalancer", {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"})
}

test_internet_facing_scheme_denied if {
	count(p.deny) == 1 with input as svc("LoadBalancer", {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing"})
}

test_nodeport_denied if {
	count(p.deny) == 1 with input as svc("NodePort", {})
}
