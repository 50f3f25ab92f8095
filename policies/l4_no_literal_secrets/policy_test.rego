package privllm.policies.l4_no_literal_secrets_test

import rego.v1

import data.privllm.policies.l4_no_literal_secrets as p

test_empty_secret_allowed if {
	count(p.deny) == 0 with input as {"kind": "Secret", "metadata": {"name": "s"}}
}

test_data_denied if {
	count(p.deny) == 1 with input as {"kind": "Secret", "metadata": {"name": "s"}, "data": {"k": "dmFsdWU="}}
}

test_string_data_denied if {
	count(p.deny) == 1 with input as {"kind": "Secret", "metadata": {"name": "s"}, "stringData": {"k": "value"}}
}
