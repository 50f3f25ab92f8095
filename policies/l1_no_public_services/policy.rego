# METADATA
# title: No public load balancer or node port
# description: >-
#   Services stay inside the cluster: no NodePort, and a LoadBalancer only when it is
#   explicitly internal.
# custom:
#   id: PLLM-L1-006
#   layer: 1
#   severity: critical
#   controls: [NSA-CISA:network-separation, OWASP-LLM10]
#   kinds: [Service]
package privllm.policies.l1_no_public_services

import rego.v1

import data.privllm.lib.kubernetes as k

internal_annotations := {
	"service.beta.kubernetes.io/aws-load-balancer-internal": "true",
	"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
	"networking.gke.io/load-balancer-type": "Internal",
	"service.beta.kubernetes.io/azure-load-balancer-internal": "true",
}

internal if {
	some key, value in internal_annotations
	input.metadata.annotations[key] == value
}

deny contains msg if {
	input.spec.type == "LoadBalancer"
	not internal
	msg := sprintf("Service %s is a LoadBalancer without an internal-only annotation: it would be public", [k.name])
}

deny contains msg if {
	input.spec.type == "NodePort"
	msg := sprintf("Service %s is a NodePort: it opens a port on every node", [k.name])
}
