package privllm.policies.l4_no_exec_for_broad_groups_test

import rego.v1

import data.privllm.policies.l4_no_exec_for_broad_groups as p

role(rules) := {"kind": "ClusterRole", "metadata": {"name": "r"}, "rules": rules}

binding(role_name, subjects) := {"kind": "RoleBinding", "metadata": {"name": "b", "namespace": "privllm-serving"}, "roleRef": {"kind": "ClusterRole", "name": role_name}, "subjects": subjects}

test_app_client_reading_services_allowed if {
	count(p.deny) == 0 with input as {"kind": "ClusterRole", "metadata": {"name": "privllm-app-client"}, "rules": [{"resources": ["services"], "verbs": ["get"]}]}
}

test_app_client_exec_denied if {
	count(p.deny) == 1 with input as {"kind": "ClusterRole", "metadata": {"name": "privllm-app-client"}, "rules": [{"resources": ["services", "pods/exec"], "verbs": ["create"]}]}
}

test_authenticated_binding_denied if {
	count(p.deny) == 1 with input as binding("view", [{"kind": "Group", "name": "system:authenticated"}])
}

test_team_binding_allowed if {
	count(p.deny) == 0 with input as binding("view", [{"kind": "Group", "name": "llm-app-teams"}])
}

test_anonymous_user_denied if {
	count(p.deny) == 1 with input as binding("view", [{"kind": "User", "name": "system:anonymous"}])
}

test_unauthenticated_group_denied if {
	count(p.deny) == 1 with input as binding("view", [{"kind": "Group", "name": "system:unauthenticated"}])
}

test_letter_case_and_spaces_do_not_hide_a_group if {
	count(p.deny) == 1 with input as binding("view", [{"kind": "Group", "name": " System:Authenticated"}])
}

test_nameless_cluster_binding_denied if {
	count(p.deny) == 1 with input as {"kind": "ClusterRoleBinding", "roleRef": {"kind": "ClusterRole", "name": "view"}, "subjects": [{"kind": "User", "name": "system:anonymous"}]}
}
