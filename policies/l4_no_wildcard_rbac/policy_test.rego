package privllm.policies.l4_no_wildcard_rbac_test

import rego.v1

import data.privllm.policies.l4_no_wildcard_rbac as p

role(rules) := {"kind": "ClusterRole", "metadata": {"name": "r"}, "rules": rules}

binding(role_name, subjects) := {"kind": "RoleBinding", "metadata": {"name": "b", "namespace": "privllm-serving"}, "roleRef": {"kind": "ClusterRole", "name": role_name}, "subjects": subjects}

test_explicit_allowed if {
	count(p.deny) == 0 with input as role([{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}])
}

test_star_verbs_denied if {
	count(p.deny) == 1 with input as role([{"apiGroups": [""], "resources": ["pods"], "verbs": ["*"]}])
}

test_star_hidden_in_list_denied if {
	count(p.deny) == 1 with input as role([{"apiGroups": [""], "resources": ["pods", "*"], "verbs": ["get"]}])
}

test_subresource_wildcard_denied if {
	count(p.deny) == 1 with input as role([{"apiGroups": [""], "resources": ["pods/*"], "verbs": ["get"]}])
}
