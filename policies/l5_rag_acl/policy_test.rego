package privllm.policies.l5_rag_acl_test

import rego.v1

import data.privllm.policies.l5_rag_acl as p

cm(text) := {"kind": "ConfigMap", "metadata": {"name": "llm-gateway"}, "data": {"gateway.yaml": text}}

stack(spec) := {"kind": "StackConfig", "metadata": {"name": "s"}, "spec": spec}

test_default_allowed if {
	count(p.deny) == 0 with input as cm("guardrails: {pii_output: redact}\n")
}

test_disabled_denied if {
	count(p.deny) == 1 with input as cm("guardrails: {rag_acl: false}\n")
}

test_stack_on_allowed if {
	count(p.deny) == 0 with input as stack({"gateway": {"guardrails": {"rag_acl": true}}})
}

test_stack_missing_denied if {
	count(p.deny) == 1 with input as stack({"gateway": {"guardrails": {}}})
}
