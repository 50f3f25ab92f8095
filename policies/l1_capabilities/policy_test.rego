package privllm.policies.l1_capabilities_test

import rego.v1

import data.privllm.policies.l1_capabilities as p

deployment(pod_spec) := {"kind": "Deployment", "metadata": {"name": "d", "namespace": "n"}, "spec": {"template": {"spec": pod_spec}}}

with_caps(caps) := deployment({"containers": [{"name": "a", "securityContext": {"capabilities": caps}}]})

test_drop_all_allowed if {
	count(p.deny) == 0 with input as with_caps({"drop": ["ALL"]})
}

test_lowercase_drop_all_counts if {
	count(p.deny) == 0 with input as with_caps({"drop": ["all"]})
}

test_no_drop_denied if {
	count(p.deny) == 1 with input as with_caps({})
}

test_lowercase_added_capability_still_denied if {
	count(p.deny) == 1 with input as with_caps({"drop": ["ALL"], "add": ["sys_admin"]})
}

test_cap_prefix_still_denied if {
	count(p.deny) == 1 with input as with_caps({"drop": ["ALL"], "add": ["CAP_SYS_PTRACE"]})
}

test_net_bind_service_allowed if {
	count(p.deny) == 0 with input as with_caps({"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]})
}
