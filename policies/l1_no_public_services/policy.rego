# METADATA
# title: No public endpoints
# description: >-
#   Nothing is reachable from the internet: a LoadBalancer Service is internal on AWS, GCP and
#   Azure (and never annotated internet-facing), no Service is a NodePort or claims
#   externalIPs, and no Ingress or Gateway asks its cloud for an internet-facing load
#   balancer (ALB scheme, GCE external classes, Azure public IPs).
# custom:
#   id: PLLM-L1-006
#   layer: 1
#   severity: critical
#   controls: [NSA-CISA:network-separation, OWASP-LLM10]
#   kinds: [Service, Ingress, Gateway]
package privllm.policies.l1_no_public_services

import rego.v1

import data.privllm.lib.kubernetes as k

# Annotation -> value (lower-cased) that makes a cloud load balancer internal.
internal_annotations := {
	"service.beta.kubernetes.io/aws-load-balancer-internal": "true",
	"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
	"networking.gke.io/load-balancer-type": "internal",
	"cloud.google.com/load-balancer-type": "internal",
	"service.beta.kubernetes.io/azure-load-balancer-internal": "true",
}

# Annotation -> value (lower-cased) that asks for an internet-facing load balancer.
public_annotations := {
	"service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
	"alb.ingress.kubernetes.io/scheme": "internet-facing",
	"service.beta.kubernetes.io/azure-load-balancer-internal": "false",
	"appgw.ingress.kubernetes.io/use-private-ip": "false",
	"networking.gke.io/load-balancer-type": "external",
	"cloud.google.com/load-balancer-type": "external",
}

# GKE classes that create external load balancers.
external_classes := {"gce", "gke-l7-global-external-managed", "gke-l7-regional-external-managed", "gke-l7-gxlb", "gke-l7-global-external-managed-mc"}

annotations(obj) := {lower(key): lower(sprintf("%v", [value])) | some key, value in object.get(obj, ["metadata", "annotations"], {})}

# A Gateway passes its infrastructure annotations on to the Service it creates.
all_annotations := object.union(annotations(input), {lower(key): lower(sprintf("%v", [value])) | some key, value in object.get(input, ["spec", "infrastructure", "annotations"], {})})

internal if {
	some key, value in internal_annotations
	all_annotations[key] == value
}

public_annotation contains sprintf("%s: %s", [key, value]) if {
	some key, value in public_annotations
	all_annotations[key] == value
}

spec := object.get(input, "spec", {})

deny contains msg if {
	input.kind == "Service"
	spec.type == "LoadBalancer"
	not internal
	count(public_annotation) == 0
	msg := sprintf("Service %s is a LoadBalancer without an internal-only annotation: it would be public", [k.name])
}

deny contains msg if {
	input.kind in {"Service", "Ingress", "Gateway"}
	some annotation in public_annotation
	msg := sprintf("%s asks for an internet-facing load balancer (%s)", [k.subject, annotation])
}

deny contains msg if {
	input.kind == "Service"
	spec.type == "NodePort"
	msg := sprintf("Service %s is a NodePort: it opens a port on every node", [k.name])
}

deny contains msg if {
	input.kind == "Service"
	count(k.as_array(object.get(spec, "externalIPs", []))) > 0
	msg := sprintf("Service %s claims externalIPs %v: traffic to those addresses is routed to it (and can be intercepted)", [k.name, spec.externalIPs])
}

deny contains msg if {
	input.kind == "Ingress"
	class := ingress_class
	class in external_classes
	msg := sprintf("Ingress %s uses the class %s, which creates an external load balancer", [k.name, class])
}

ingress_class := lower(spec.ingressClassName) if is_string(spec.ingressClassName)

ingress_class := annotations(input)["kubernetes.io/ingress.class"] if not is_string(spec.ingressClassName)

deny contains msg if {
	input.kind == "Gateway"
	lower(object.get(spec, "gatewayClassName", "")) in external_classes
	msg := sprintf("Gateway %s uses the class %s, which creates an external load balancer", [k.name, spec.gatewayClassName])
}
