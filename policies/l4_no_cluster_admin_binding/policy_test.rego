package privllm.policies.l4_no_cluster_admin_binding_test

import rego.v1

import data.privllm.policies.l4_no_cluster_admin_binding as p

role(rules) := {"kind": "ClusterRole", "metadata": {"name": "r"}, "rules": rules}

binding(role_name, subjects) := {"kind": "RoleBinding", "metadata": {"name": "b", "namespace": "privllm-serving"}, "roleRef": {"kind": "ClusterRole", "name": role_name}, "subjects": subjects}

test_namespaced_admin_allowed if {
	count(p.deny) == 0 with input as binding("admin", [{"kind": "Group", "name": "llm-platform-admins"}])
}

test_cluster_admin_denied if {
	count(p.deny) == 1 with input as binding("cluster-admin", [{"kind": "ServiceAccount", "name": "vllm"}])
}

test_cluster_wide_edit_denied if {
	count(p.deny) == 1 with input as {"kind": "ClusterRoleBinding", "metadata": {"name": "x"}, "roleRef": {"name": "edit"}, "subjects": []}
}
