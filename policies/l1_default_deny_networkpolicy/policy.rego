# METADATA
# title: Every namespace denies by default
# description: >-
#   Each namespace has a NetworkPolicy that selects every pod and allows nothing for both
#   ingress and egress; the flows the design needs are added on top.
# custom:
#   id: PLLM-L1-007
#   layer: 1
#   severity: high
#   controls: [CIS-5.3.2, NSA-CISA:network-separation]
#   kinds: [Namespace]
#   gatekeeper: false
package privllm.policies.l1_default_deny_networkpolicy

import rego.v1

import data.privllm.lib.kubernetes as k

default_deny(policy) if {
	policy.spec.podSelector == {}
	{"Ingress", "Egress"} == {t | some t in policy.spec.policyTypes}
	count(object.get(policy.spec, "ingress", [])) == 0
	count(object.get(policy.spec, "egress", [])) == 0
}

has_default_deny(ns) if {
	some policy in k.inventory_of("NetworkPolicy")
	policy.metadata.namespace == ns
	default_deny(policy)
}

deny contains msg if {
	input.kind == "Namespace"
	not has_default_deny(k.name)
	msg := sprintf("namespace %s has no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)", [k.name])
}
