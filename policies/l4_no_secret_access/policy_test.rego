package privllm.policies.l4_no_secret_access_test

import rego.v1

import data.privllm.policies.l4_no_secret_access as p

role(rules) := {"kind": "ClusterRole", "metadata": {"name": "r"}, "rules": rules}

binding(role_name, subjects) := {"kind": "RoleBinding", "metadata": {"name": "b", "namespace": "privllm-serving"}, "roleRef": {"kind": "ClusterRole", "name": role_name}, "subjects": subjects}

test_configmaps_allowed if {
	count(p.deny) == 0 with input as role([{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}])
}

test_secret_list_denied if {
	count(p.deny) == 1 with input as role([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]}])
}

test_uppercase_verb_denied if {
	count(p.deny) == 1 with input as role([{"apiGroups": [""], "resources": ["Secrets"], "verbs": ["GET"]}])
}

test_create_only_is_not_reading if {
	count(p.deny) == 0 with input as role([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["create"]}])
}
