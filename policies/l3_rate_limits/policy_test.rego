package privllm.policies.l3_rate_limits_test

import rego.v1

import data.privllm.policies.l3_rate_limits as p

cm(text) := {"kind": "ConfigMap", "metadata": {"name": "llm-gateway"}, "data": {"gateway.yaml": text}}

test_limits_allowed if {
	count(p.deny) == 0 with input as cm("rate_limits: {requests_per_minute: 60, tokens_per_minute: 60000, max_tokens_cap: 4096}\n")
}

test_missing_limits_denied if {
	count(p.deny) > 0 with input as cm("upstreams: []\n")
}

test_zero_tokens_denied if {
	count(p.deny) == 1 with input as cm("rate_limits: {requests_per_minute: 60, tokens_per_minute: 0, max_tokens_cap: 4096}\n")
}

test_other_configmaps_ignored if {
	count(p.deny) == 0 with input as {"kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"a": "b"}}
}
