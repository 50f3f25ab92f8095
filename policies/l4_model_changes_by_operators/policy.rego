# METADATA
# title: Only model operators change model servers
# description: >-
#   In the serving namespace, only the stack's model-operator and platform-admin groups are
#   bound to roles that can modify workloads (deployments, LeaderWorkerSets, ScaledObjects);
#   never a service account or a single user.
# custom:
#   id: PLLM-L4-007
#   layer: 4
#   severity: high
#   controls: [OWASP-LLM04, OWASP-LLM06, CIS-5.1.3]
#   kinds: [RoleBinding]
#   gatekeeper: false
package privllm.policies.l4_model_changes_by_operators

import rego.v1

import data.privllm.lib.kubernetes as k

modify_verbs := {"create", "update", "patch", "delete", "*"}

model_resources := {"deployments", "deployments/scale", "leaderworkersets", "leaderworkersets/scale", "scaledobjects", "*"}

# Built-in roles that can modify workloads.
modifies(name) if name in {"admin", "edit", "cluster-admin"}

modifies(name) if {
	some role in array.concat(k.inventory_of("ClusterRole"), k.inventory_of("Role"))
	role.metadata.name == name
	some rule in role.rules
	some resource in rule.resources
	resource in model_resources
	some verb in rule.verbs
	verb in modify_verbs
}

allowed_groups := {g | some g in object.get(k.params, ["rbac", "model_operator"], [])} | {g | some g in object.get(k.params, ["rbac", "platform_admin"], [])}

deny contains msg if {
	endswith(k.namespace, concat("", ["-", object.get(k.params, ["namespace_suffixes", "serving"], "serving")]))
	modifies(input.roleRef.name)
	some subject in input.subjects
	not allowed(subject)
	msg := sprintf("RoleBinding %s lets %s %s modify model servers (role %s)", [k.name, k.shown(subject, "kind"), k.shown(subject, "name"), k.shown(input, ["roleRef", "name"])])
}

allowed(subject) if {
	subject.kind == "Group"
	subject.name in allowed_groups
}

# Reviewing manifests without their stack: group names cannot be checked, other subjects can.
allowed(subject) if {
	subject.kind == "Group"
	not k.params.rbac
}
