package privllm.policies.l5_output_validation_test

import rego.v1

import data.privllm.policies.l5_output_validation as p

cm(text) := {"kind": "ConfigMap", "metadata": {"name": "llm-gateway"}, "data": {"gateway.yaml": text}}

stack(spec) := {"kind": "StackConfig", "metadata": {"name": "s"}, "spec": spec}

test_typed_schema_allowed if {
	count(p.deny) == 0 with input as cm("upstreams: [{name: m, response_schema: {type: object}}]\n")
}

test_untyped_schema_denied if {
	count(p.deny) == 1 with input as cm("upstreams: [{name: m, response_schema: {required: [a]}}]\n")
}

test_stack_schema_not_enforced_denied if {
	gateway := cm("upstreams: [{name: m}]\n")
	count(p.deny) == 1 with input as stack({"models": [{"served_name": "m", "response_schema": {"type": "object"}}]}) with data.privllm.inventory as [gateway]
}

test_null_schema_means_none if {
	gateway := cm("upstreams: [{name: m}]\n")
	count(p.deny) == 0 with input as stack({"models": [{"served_name": "m", "response_schema": null}]}) with data.privllm.inventory as [gateway]
}
