package privllm.policies.l1_imdsv2_test

import rego.v1

import data.privllm.policies.l1_imdsv2 as p

lt(opts) := {"type": "aws:ec2/launchTemplate:LaunchTemplate", "metadata": {"name": "lt"}, "inputs": {"metadataOptions": opts}}

test_required_allowed if {
	count(p.deny) == 0 with input as lt({"httpTokens": "required", "httpPutResponseHopLimit": 1})
}

test_optional_denied if {
	count(p.deny) == 1 with input as lt({"httpTokens": "optional", "httpPutResponseHopLimit": 1})
}

test_hop_limit_two_denied if {
	count(p.deny) == 1 with input as lt({"httpTokens": "required", "httpPutResponseHopLimit": 2})
}

test_missing_options_denied if {
	count(p.deny) == 2 with input as {"type": "aws:ec2/launchTemplate:LaunchTemplate", "metadata": {"name": "lt"}, "inputs": {}}
}
