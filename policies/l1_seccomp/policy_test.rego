package privllm.policies.l1_seccomp_test

import rego.v1

import data.privllm.policies.l1_seccomp as p

deployment(pod_spec) := {"kind": "Deployment", "metadata": {"name": "d", "namespace": "n"}, "spec": {"template": {"spec": pod_spec}}}

test_pod_level_profile_allowed if {
	count(p.deny) == 0 with input as deployment({"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}, "containers": [{"name": "a"}]})
}

test_missing_profile_denied if {
	count(p.deny) == 1 with input as deployment({"containers": [{"name": "a"}]})
}

test_container_unconfined_overrides_pod if {
	count(p.deny) == 1 with input as deployment({"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}, "containers": [{"name": "a", "securityContext": {"seccompProfile": {"type": "Unconfined"}}}]})
}

legacy_pod(profile) := {"kind": "Pod", "metadata": {"name": "p", "namespace": "legacy"}, "spec": {"containers": [{"name": "c", "securityContext": {"seccompProfile": profile}}]}}

test_baseline_namespace_only_refuses_unconfined if {
	count(p.deny) == 0 with input as legacy_pod({}) with data.privllm.params as {"profiles": {"legacy": "baseline"}}
	count(p.deny) == 1 with input as legacy_pod({"type": "Unconfined"}) with data.privllm.params as {"profiles": {"legacy": "baseline"}}
}
