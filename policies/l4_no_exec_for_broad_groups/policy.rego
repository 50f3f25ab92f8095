# METADATA
# title: Nothing granted to anonymous or all-authenticated subjects; no exec for app clients
# description: >-
#   No binding names system:anonymous, system:unauthenticated, system:authenticated or
#   system:serviceaccounts (whatever the subject kind or letter case), and the app-client
#   role opens no shell into pods (pods/exec, pods/attach, pods/portforward).
# custom:
#   id: PLLM-L4-008
#   layer: 4
#   severity: high
#   controls: [CIS-5.1.3, NSA-CISA:authentication-authorization, OWASP-LLM02]
#   kinds: [Role, ClusterRole, RoleBinding, ClusterRoleBinding]
package privllm.policies.l4_no_exec_for_broad_groups

import rego.v1

import data.privllm.lib.kubernetes as k

broad_groups := {"system:anonymous", "system:authenticated", "system:unauthenticated", "system:serviceaccounts"}

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
	some subject in k.as_array(object.get(input, "subjects", []))
	is_string(subject.name)
	lower(trim_space(subject.name)) in broad_groups
	msg := sprintf("%s grants %s to %s", [k.subject, k.shown(input, ["roleRef", "name"]), k.shown(subject, "name")])
}
