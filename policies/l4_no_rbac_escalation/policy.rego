# METADATA
# title: No RBAC escalation verbs and no node proxy
# description: >-
#   No role grants escalate or bind (create roles or bindings beyond one's own rights),
#   impersonate (act as another user, group or service account), or any access to
#   nodes/proxy (the kubelet API: exec in every pod on the node, bypassing admission and audit).
# custom:
#   id: PLLM-L4-009
#   layer: 4
#   severity: critical
#   controls: [CIS-5.1.8, NSA-CISA:authentication-authorization, OWASP-LLM06]
#   kinds: [Role, ClusterRole]
package privllm.policies.l4_no_rbac_escalation

import rego.v1

import data.privllm.lib.kubernetes as k

escalation_verbs := {"escalate", "bind", "impersonate"}

rules := [rule | some rule in k.as_array(object.get(input, "rules", [])); is_object(rule)]

entries(rule, field) := [lower(trim_space(e)) | some e in k.as_array(object.get(rule, field, [])); is_string(e)]

deny contains msg if {
	some rule in rules
	some verb in entries(rule, "verbs")
	verb in escalation_verbs
	msg := sprintf("%s grants the %s verb on %v", [k.subject, verb, entries(rule, "resources")])
}

deny contains msg if {
	some rule in rules
	some resource in entries(rule, "resources")
	resource in {"nodes/proxy", "nodes/*"}
	msg := sprintf("%s grants %s (the kubelet API on every node)", [k.subject, resource])
}
