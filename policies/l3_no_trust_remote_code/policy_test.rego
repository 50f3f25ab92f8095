package privllm.policies.l3_no_trust_remote_code_test

import rego.v1

import data.privllm.policies.l3_no_trust_remote_code as p

pod(c) := {"kind": "Pod", "metadata": {"name": "x"}, "spec": {"containers": [c]}}

test_plain_allowed if {
	count(p.deny) == 0 with input as pod({"name": "v", "args": ["vllm serve /m"]})
}

test_flag_denied if {
	count(p.deny) == 1 with input as pod({"name": "v", "args": ["vllm", "serve", "/m", "--trust-remote-code"]})
}

test_underscore_uppercase_with_value_denied if {
	count(p.deny) == 1 with input as pod({"name": "v", "command": ["vllm"], "args": ["serve", "/m", "--Trust_Remote_Code=True"]})
}

test_env_denied if {
	count(p.deny) == 1 with input as pod({"name": "v", "env": [{"name": "VLLM_TRUST_REMOTE_CODE", "value": "1"}]})
}
