# METADATA
# title: No role reads Secrets through the API
# description: >-
#   Secrets reach workloads as files from Vault; no role in the kit may get, list or watch
#   Kubernetes Secrets.
# custom:
#   id: PLLM-L4-003
#   layer: 4
#   severity: high
#   controls: [CIS-5.1.2, OWASP-LLM02]
#   kinds: [Role, ClusterRole]
package privllm.policies.l4_no_secret_access

import rego.v1

import data.privllm.lib.kubernetes as k

reads(verbs) if {
	some verb in verbs
	lower(verb) in {"get", "list", "watch", "*"}
}

deny contains msg if {
	some rule in object.get(input, "rules", [])
	some resource in object.get(rule, "resources", [])
	lower(resource) in {"secrets", "*"}
	some group in object.get(rule, "apiGroups", [""])
	group in {"", "*"}
	reads(rule.verbs)
	msg := sprintf("%s can read Secrets", [k.subject])
}
