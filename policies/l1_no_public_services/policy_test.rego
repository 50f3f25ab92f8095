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

test_contradicting_annotations_denied if {
	# "internal: true" must not hide an explicit internet-facing scheme
	count(p.deny) == 1 with input as svc("LoadBalancer", {"service.beta.kubernetes.io/aws-load-balancer-internal": "true", "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing"})
}

test_gke_and_azure_internal_allowed if {
	count(p.deny) == 0 with input as svc("LoadBalancer", {"networking.gke.io/load-balancer-type": "Internal"})
	count(p.deny) == 0 with input as svc("LoadBalancer", {"service.beta.kubernetes.io/azure-load-balancer-internal": "true"})
}

test_azure_explicitly_public_denied if {
	count(p.deny) == 1 with input as svc("LoadBalancer", {"service.beta.kubernetes.io/azure-load-balancer-internal": "false"})
}

test_external_ips_denied if {
	count(p.deny) == 1 with input as {"kind": "Service", "metadata": {"name": "s"}, "spec": {"type": "ClusterIP", "externalIPs": ["203.0.113.10"]}}
}

test_internet_facing_alb_ingress_denied if {
	count(p.deny) == 1 with input as {"kind": "Ingress", "metadata": {"name": "i", "annotations": {"alb.ingress.kubernetes.io/scheme": "Internet-Facing"}}, "spec": {}}
}

test_internal_alb_ingress_allowed if {
	count(p.deny) == 0 with input as {"kind": "Ingress", "metadata": {"name": "i", "annotations": {"alb.ingress.kubernetes.io/scheme": "internal"}}, "spec": {"ingressClassName": "alb"}}
}

test_gce_ingress_class_denied if {
	count(p.deny) == 1 with input as {"kind": "Ingress", "metadata": {"name": "i", "annotations": {"kubernetes.io/ingress.class": "gce"}}, "spec": {}}
	count(p.deny) == 0 with input as {"kind": "Ingress", "metadata": {"name": "i", "annotations": {"kubernetes.io/ingress.class": "gce-internal"}}, "spec": {}}
}

test_external_gateway_class_denied if {
	count(p.deny) == 1 with input as {"kind": "Gateway", "metadata": {"name": "g"}, "spec": {"gatewayClassName": "gke-l7-global-external-managed"}}
}

test_gateway_infrastructure_annotation_denied if {
	count(p.deny) == 1 with input as {"kind": "Gateway", "metadata": {"name": "g"}, "spec": {"gatewayClassName": "eg", "infrastructure": {"annotations": {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing"}}}}
}

test_nameless_service_still_denied if {
	count(p.deny) == 1 with input as {"kind": "Service", "spec": {"type": "NodePort"}}
}
