# METADATA
# title: No exec, attach or port-forward for broad groups
# description: >-
#   Roles that open a shell into pods (pods/exec, pods/attach, pods/portforward) are not
#   granted to everyone authenticated, to all service accounts, or by the app-client role.
# custom:
#   id: PLLM-L4-008
#   layer: 4
#   severity: high
#   controls: [CIS-5.1.3, NSA-CISA:authentication-authorization, OWASP-LLM02]
#   kinds: [Role, ClusterRole, RoleBinding, ClusterRoleBinding]
package privllm.policies.l4_no_exec_for_broad_groups

import rego.v1

import data.privllm.lib.kubernetes as k

broad_groups := {"system:authenticated", "system:unauthenticated", "system:serviceaccounts"}

shell_resources := {"pods/exec", "pods/attach", "pods/portforward", "pods/*", "*"}

deny contains msg if {
	input.kind in {"Role", "ClusterRole"}
	input.metadata.name == "privllm-app-client"
	some rule in input.rules
	some resource in rule.resources
	resource in shell_resources
	msg := sprintf("the app-client role grants %s", [resource])
}

deny contains msg if {
	input.kind in {"RoleBinding", "ClusterRoleBinding"}
	some subject in input.subjects
	subject.kind == "Group"
	lower(subject.name) in broad_groups
	msg := sprintf("%s grants %s to %s", [k.subject, k.shown(input, ["roleRef", "name"]), k.shown(subject, "name")])
}
