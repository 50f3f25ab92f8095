# METADATA
# title: No wildcards in RBAC rules
# description: >-
#   Roles list their verbs, resources and API groups; a "*" anywhere in a list (not only as
#   its only entry) grants everything present and future.
# custom:
#   id: PLLM-L4-001
#   layer: 4
#   severity: high
#   controls: [CIS-5.1.3, NSA-CISA:authentication-authorization, OWASP-LLM06]
#   kinds: [Role, ClusterRole]
package privllm.policies.l4_no_wildcard_rbac

import rego.v1

import data.privllm.lib.kubernetes as k

deny contains msg if {
	some rule in object.get(input, "rules", [])
	some field in ["verbs", "resources", "apiGroups", "nonResourceURLs"]
	some entry in object.get(rule, field, [])
	contains(entry, "*")
	msg := sprintf("%s grants %q in %s", [k.subject, entry, field])
}
