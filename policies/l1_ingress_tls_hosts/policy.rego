# METADATA
# title: Ingress and Gateway API routes serve TLS for named hosts
# description: >-
#   Every Ingress rule names a host that its TLS section covers (no catch-all rule, no
#   default backend, no plain HTTP); every Gateway listener is HTTPS or TLS with a hostname
#   and, when it terminates TLS, a certificate; every HTTPRoute, GRPCRoute and TLSRoute names
#   its hostnames (a route without them answers for any host its gateway serves).
# custom:
#   id: PLLM-L1-016
#   layer: 1
#   severity: high
#   controls: [NSA-CISA:network-separation, CIS-5.3.2, OWASP-LLM02]
#   kinds: [Ingress, Gateway, HTTPRoute, GRPCRoute, TLSRoute]
package privllm.policies.l1_ingress_tls_hosts

import rego.v1

import data.privllm.lib.kubernetes as k

spec := object.get(input, "spec", {})

rules := [rule | some rule in k.as_array(object.get(spec, "rules", [])); is_object(rule)]

tls_hosts := {host | some entry in k.as_array(object.get(spec, "tls", [])); some host in k.as_array(object.get(entry, "hosts", []))}

# A TLS host "*.corp.internal" covers "llm.corp.internal" (one label, as in X.509).
covered(host) if host in tls_hosts

covered(host) if {
	some pattern in tls_hosts
	startswith(pattern, "*.")
	parts := split(host, ".")
	count(parts) > 1
	concat(".", array.slice(parts, 1, count(parts))) == substring(pattern, 2, -1)
}

deny contains msg if {
	input.kind == "Ingress"
	some i, rule in rules
	not is_string(rule.host)
	msg := sprintf("Ingress %s: rule %d has no host, so it answers for any Host header", [k.name, i])
}

deny contains msg if {
	input.kind == "Ingress"
	spec.defaultBackend
	msg := sprintf("Ingress %s has a default backend, which answers for any host", [k.name])
}

deny contains msg if {
	input.kind == "Ingress"
	some rule in rules
	is_string(rule.host)
	not covered(rule.host)
	msg := sprintf("Ingress %s serves %s without TLS", [k.name, rule.host])
}

deny contains msg if {
	input.kind == "Ingress"
	count(rules) == 0
	not spec.defaultBackend
	count(tls_hosts) == 0
	msg := sprintf("Ingress %s has no rules and no TLS", [k.name])
}

listeners := [l | some l in k.as_array(object.get(spec, "listeners", [])); is_object(l)]

listener_name(l, i) := object.get(l, "name", sprintf("listeners[%d]", [i]))

deny contains msg if {
	input.kind == "Gateway"
	some i, l in listeners
	not upper(object.get(l, "protocol", "")) in {"HTTPS", "TLS"}
	msg := sprintf("Gateway %s: listener %s speaks %s, not HTTPS or TLS", [k.name, listener_name(l, i), k.shown(l, "protocol")])
}

deny contains msg if {
	input.kind == "Gateway"
	some i, l in listeners
	not is_string(l.hostname)
	msg := sprintf("Gateway %s: listener %s has no hostname, so it answers for any host", [k.name, listener_name(l, i)])
}

deny contains msg if {
	input.kind == "Gateway"
	some i, l in listeners
	upper(object.get(l, "protocol", "")) == "HTTPS"
	count(k.as_array(object.get(l, ["tls", "certificateRefs"], []))) == 0
	msg := sprintf("Gateway %s: HTTPS listener %s has no certificateRefs", [k.name, listener_name(l, i)])
}

deny contains msg if {
	input.kind in {"HTTPRoute", "GRPCRoute", "TLSRoute"}
	hostnames := k.as_array(object.get(spec, "hostnames", []))
	not named(hostnames)
	msg := sprintf("%s names no hostnames, so it answers for any host its gateway serves", [k.subject])
}

named(hostnames) if {
	count(hostnames) > 0
	not "*" in hostnames
}
