# METADATA
# title: No egress to anywhere
# description: >-
#   NetworkPolicies name their destinations: no egress rule without a destination, and no
#   ipBlock wider than a /8 (0.0.0.0/0 included).
# custom:
#   id: PLLM-L1-008
#   layer: 1
#   severity: high
#   controls: [NSA-CISA:network-separation, OWASP-LLM02]
#   kinds: [NetworkPolicy]
package privllm.policies.l1_no_open_egress

import rego.v1

import data.privllm.lib.kubernetes as k

deny contains msg if {
	some rule in object.get(input.spec, "egress", [])
	count(object.get(rule, "to", [])) == 0
	msg := sprintf("NetworkPolicy %s/%s allows egress to any destination (a rule without 'to')", [k.namespace, k.name])
}

deny contains msg if {
	some rule in object.get(input.spec, "egress", [])
	some peer in rule.to
	prefix := to_number(split(peer.ipBlock.cidr, "/")[1])
	prefix < 8
	msg := sprintf("NetworkPolicy %s/%s allows egress to %s, which is open egress", [k.namespace, k.name, k.shown(peer, ["ipBlock", "cidr"])])
}
