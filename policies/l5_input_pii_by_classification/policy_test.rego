package privllm.policies.l5_input_pii_by_classification_test

import rego.v1

import data.privllm.policies.l5_input_pii_by_classification as p

cm(text) := {"kind": "ConfigMap", "metadata": {"name": "llm-gateway"}, "data": {"gateway.yaml": text}}

stack(spec) := {"kind": "StackConfig", "metadata": {"name": "s"}, "spec": spec}

test_redact_allowed if {
	count(p.deny) == 0 with input as cm("guardrails: {pii_input: {confidential: redact, restricted: block}}\n")
}

test_allow_for_restricted_denied if {
	count(p.deny) == 1 with input as cm("guardrails: {pii_input: {confidential: redact, restricted: allow}}\n")
}

test_unset_counts_as_allow if {
	count(p.deny) == 2 with input as cm("guardrails: {pii_input: {}}\n")
}
