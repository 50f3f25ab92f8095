package privllm.policies.l2_no_prompts_in_plain_logs_test

import rego.v1

import data.privllm.policies.l2_no_prompts_in_plain_logs as p

vllm(args) := {"kind": "Deployment", "metadata": {"name": "v"}, "spec": {"template": {"spec": {"containers": [{"name": "vllm", "args": args}]}}}}

test_normal_args_allowed if {
	count(p.deny) == 0 with input as vllm(["exec vllm serve /m --max-model-len 4096"])
}

test_log_requests_denied if {
	count(p.deny) == 1 with input as vllm(["exec vllm serve /m --enable-log-requests"])
}

test_underscore_and_case_spelling_denied if {
	count(p.deny) == 1 with input as vllm(["exec 'vllm' 'serve' '/m' '--Enable_Log_Requests'"])
}

test_similar_flag_not_confused if {
	count(p.deny) == 0 with input as vllm(["exec vllm serve /m --enable-log-requests-summary-off-is-not-a-flag-x"])
}

test_plain_gateway_mode_denied if {
	count(p.deny) == 1 with input as {"kind": "ConfigMap", "data": {"gateway.yaml": "prompt_logging: plain\n"}}
}
