package privllm.policies.l1_read_only_root_filesystem_test

import rego.v1

import data.privllm.policies.l1_read_only_root_filesystem as p

deployment(pod_spec) := {"kind": "Deployment", "metadata": {"name": "d", "namespace": "n"}, "spec": {"template": {"spec": pod_spec}}}

test_read_only_allowed if {
	count(p.deny) == 0 with input as deployment({"containers": [{"name": "a", "securityContext": {"readOnlyRootFilesystem": true}}]})
}

test_writable_denied if {
	count(p.deny) == 1 with input as deployment({"containers": [{"name": "a"}]})
}

test_string_true_is_not_true if {
	count(p.deny) == 1 with input as deployment({"containers": [{"name": "a", "securityContext": {"readOnlyRootFilesystem": "true"}}]})
}
