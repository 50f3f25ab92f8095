# METADATA
# title: Nobody is bound to cluster-admin
# description: >-
#   No binding grants cluster-admin; platform admins get the namespaced admin role in the
#   kit's namespaces, and workloads get nothing they do not use.
# custom:
#   id: PLLM-L4-002
#   layer: 4
#   severity: critical
#   controls: [CIS-5.1.1, NSA-CISA:authentication-authorization]
#   kinds: [RoleBinding, ClusterRoleBinding]
package privllm.policies.l4_no_cluster_admin_binding

import rego.v1

import data.privllm.lib.kubernetes as k

deny contains msg if {
	input.roleRef.name == "cluster-admin"
	msg := sprintf("%s binds cluster-admin", [k.subject])
}

deny contains msg if {
	input.kind == "ClusterRoleBinding"
	input.roleRef.name in {"admin", "edit"}
	msg := sprintf("ClusterRoleBinding %s grants %s in every namespace", [k.name, k.shown(input, ["roleRef", "name"])])
}
