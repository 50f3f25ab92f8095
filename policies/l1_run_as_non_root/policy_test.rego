package privllm.policies.l1_run_as_non_root_test

import rego.v1

import data.privllm.policies.l1_run_as_non_root as p

deployment(pod_spec) := {"kind": "Deployment", "metadata": {"name": "d", "namespace": "n"}, "spec": {"template": {"spec": pod_spec}}}

test_pod_level_allowed if {
	count(p.deny) == 0 with input as deployment({"securityContext": {"runAsNonRoot": true, "runAsUser": 1000}, "containers": [{"name": "a"}]})
}

test_unset_denied if {
	count(p.deny) == 1 with input as deployment({"containers": [{"name": "a"}]})
}

test_container_override_to_root_denied if {
	count(p.deny) == 2 with input as deployment({"securityContext": {"runAsNonRoot": true}, "containers": [{"name": "a", "securityContext": {"runAsNonRoot": false, "runAsUser": 0}}]})
}

test_baseline_namespace_may_run_as_root if {
	pod := {"kind": "Pod", "metadata": {"name": "p", "namespace": "legacy"}, "spec": {"containers": [{"name": "c"}]}}
	count(p.deny) == 0 with input as pod with data.privllm.params as {"profiles": {"legacy": "baseline"}}
	count(p.deny) == 1 with input as pod with data.privllm.params as {"profiles": {"other": "baseline"}}
}

test_nameless_container_still_denied if {
	count(p.deny) == 1 with input as {"kind": "Pod", "spec": {"containers": [{"image": "x:1"}]}}
}
