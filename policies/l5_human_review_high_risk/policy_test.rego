package privllm.policies.l5_human_review_high_risk_test

import rego.v1

import data.privllm.policies.l5_human_review_high_risk as p

stack := {"kind": "StackConfig", "spec": {"gateway": {"guardrails": {"human_review_timeout_seconds": 86400}}, "models": [{"served_name": "hr-model", "high_risk": true}]}}

cm(text) := {"kind": "ConfigMap", "metadata": {"name": "llm-gateway"}, "data": {"gateway.yaml": text}}

test_held_allowed if {
	count(p.deny) == 0 with input as stack with data.privllm.inventory as [cm("upstreams: [{name: hr-model, high_risk: true}]\n")]
}

test_not_held_denied if {
	count(p.deny) == 1 with input as stack with data.privllm.inventory as [cm("upstreams: [{name: hr-model, high_risk: false}]\n")]
}

test_other_model_held_does_not_count if {
	count(p.deny) == 1 with input as stack with data.privllm.inventory as [cm("upstreams: [{name: other, high_risk: true}]\n")]
}
