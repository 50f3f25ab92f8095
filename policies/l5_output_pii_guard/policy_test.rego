package privllm.policies.l5_output_pii_guard_test

import rego.v1

import data.privllm.policies.l5_output_pii_guard as p

cm(text) := {"kind": "ConfigMap", "metadata": {"name": "llm-gateway"}, "data": {"gateway.yaml": text}}

stack(spec) := {"kind": "StackConfig", "metadata": {"name": "s"}, "spec": spec}

test_redact_allowed if {
	count(p.deny) == 0 with input as cm("guardrails: {pii_output: redact}\n")
}

test_off_denied if {
	count(p.deny) == 1 with input as cm("guardrails: {pii_output: \"off\"}\n")
}

test_missing_denied if {
	count(p.deny) == 1 with input as cm("guardrails: {}\n")
}

test_stack_checked if {
	count(p.deny) == 1 with input as stack({"gateway": {"guardrails": {"pii_output": "allow"}}})
}
