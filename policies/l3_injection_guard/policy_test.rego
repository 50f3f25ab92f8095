package privllm.policies.l3_injection_guard_test

import rego.v1

import data.privllm.policies.l3_injection_guard as p

cm(text) := {"kind": "ConfigMap", "metadata": {"name": "llm-gateway"}, "data": {"gateway.yaml": text}}

test_block_allowed if {
	count(p.deny) == 0 with input as cm("guardrails: {prompt_injection: block}\nupstreams: [{name: m, high_risk: true}]\n")
}

test_flag_for_internal_allowed if {
	count(p.deny) == 0 with input as cm("guardrails: {prompt_injection: flag}\nupstreams: [{name: m, data_classification: internal}]\n")
}

test_flag_for_high_risk_denied if {
	count(p.deny) == 1 with input as cm("guardrails: {prompt_injection: flag}\nupstreams: [{name: m, high_risk: true}]\n")
}

test_missing_guard_denied if {
	count(p.deny) == 1 with input as cm("upstreams: []\n")
}
