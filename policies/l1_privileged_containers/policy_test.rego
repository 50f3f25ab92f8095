package privllm.policies.l1_privileged_containers_test

import rego.v1

import data.privllm.policies.l1_privileged_containers as p

deployment(pod_spec) := {"kind": "Deployment", "metadata": {"name": "d", "namespace": "n"}, "spec": {"template": {"spec": pod_spec}}}

safe := {"name": "a", "securityContext": {"allowPrivilegeEscalation": false}}

test_safe_allowed if {
	count(p.deny) == 0 with input as deployment({"containers": [safe]})
}

test_privileged_denied if {
	count(p.deny) == 1 with input as deployment({"containers": [{"name": "a", "securityContext": {"privileged": true, "allowPrivilegeEscalation": false}}]})
}

test_escalation_unset_denied if {
	count(p.deny) == 1 with input as deployment({"containers": [{"name": "a"}]})
}

test_privileged_init_container_denied if {
	count(p.deny) == 1 with input as deployment({"containers": [safe], "initContainers": [{"name": "i", "securityContext": {"privileged": true, "allowPrivilegeEscalation": false}}]})
}
