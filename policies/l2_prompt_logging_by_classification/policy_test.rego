package privllm.policies.l2_prompt_logging_by_classification_test

import rego.v1

import data.privllm.policies.l2_prompt_logging_by_classification as p

stack(spec) := {"kind": "StackConfig", "metadata": {"name": "s"}, "spec": spec}

test_hash_for_confidential_allowed if {
	count(p.deny) == 0 with input as stack({"data": {"prompt_logging": "hash"}, "models": [{"name": "m", "data_classification": "confidential"}]})
}

test_redacted_for_restricted_denied if {
	count(p.deny) == 1 with input as stack({"data": {"prompt_logging": "redacted"}, "models": [{"name": "m", "data_classification": "restricted"}]})
}

test_gateway_config_checked if {
	cm := {"kind": "ConfigMap", "data": {"gateway.yaml": "prompt_logging: redacted\nupstreams:\n  - {name: m, data_classification: confidential}\n"}}
	count(p.deny) == 1 with input as cm
}

test_unclassified_upstream_treated_as_restricted if {
	cm := {"kind": "ConfigMap", "data": {"gateway.yaml": "prompt_logging: hash\nupstreams:\n  - {name: m}\n"}}
	count(p.deny) == 1 with input as cm
}
