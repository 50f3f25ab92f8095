package privllm.policies.l4_no_rbac_escalation_test

import rego.v1

import data.privllm.policies.l4_no_rbac_escalation as p

role(rules) := {"kind": "ClusterRole", "metadata": {"name": "r"}, "rules": rules}

test_reader_allowed if {
	count(p.deny) == 0 with input as role([{"apiGroups": [""], "resources": ["pods", "nodes"], "verbs": ["get", "list"]}])
}

test_escalate_denied if {
	count(p.deny) == 1 with input as role([{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["get", "escalate"]}])
}

test_bind_denied if {
	count(p.deny) == 1 with input as role([{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["bind"]}])
}

test_impersonate_denied_whatever_the_case if {
	count(p.deny) == 1 with input as role([{"apiGroups": [""], "resources": ["users", "groups"], "verbs": ["Impersonate"]}])
}

test_node_proxy_denied if {
	count(p.deny) == 1 with input as role([{"apiGroups": [""], "resources": ["nodes/proxy"], "verbs": ["get"]}])
}

test_nameless_role_still_denied if {
	count(p.deny) == 1 with input as {"kind": "Role", "rules": [{"resources": ["serviceaccounts"], "verbs": ["impersonate"]}]}
}
