package privllm.policies.l4_model_changes_by_operators_test

import rego.v1

import data.privllm.policies.l4_model_changes_by_operators as p

operator_role := {"kind": "ClusterRole", "metadata": {"name": "privllm-model-operator"}, "rules": [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["patch"]}]}

binding(role_name, subjects) := {"kind": "RoleBinding", "metadata": {"name": "b", "namespace": "privllm-serving"}, "roleRef": {"kind": "ClusterRole", "name": role_name}, "subjects": subjects}

params := {"rbac": {"model_operator": ["ml-ops"], "platform_admin": ["admins"]}}

test_operator_group_allowed if {
	count(p.deny) == 0 with input as binding("privllm-model-operator", [{"kind": "Group", "name": "ml-ops"}]) with data.privllm.inventory as [operator_role] with data.privllm.params as params
}

test_app_team_with_edit_denied if {
	count(p.deny) == 1 with input as binding("edit", [{"kind": "Group", "name": "app-teams"}]) with data.privllm.params as params
}

test_service_account_with_operator_role_denied if {
	count(p.deny) == 1 with input as binding("privllm-model-operator", [{"kind": "ServiceAccount", "name": "ci"}]) with data.privllm.inventory as [operator_role] with data.privllm.params as params
}

test_read_only_role_allowed if {
	viewer := {"kind": "ClusterRole", "metadata": {"name": "viewer"}, "rules": [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get"]}]}
	count(p.deny) == 0 with input as binding("viewer", [{"kind": "Group", "name": "app-teams"}]) with data.privllm.inventory as [viewer] with data.privllm.params as params
}

test_without_stack_groups_pass_but_users_do_not if {
	count(p.deny) == 1 with input as binding("edit", [{"kind": "Group", "name": "any"}, {"kind": "User", "name": "mallory"}]) with data.privllm.params as {}
}
