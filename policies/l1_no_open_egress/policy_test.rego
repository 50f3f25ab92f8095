package privllm.policies.l1_no_open_egress_test

import rego.v1

import data.privllm.policies.l1_no_open_egress as p

np(egress) := {"kind": "NetworkPolicy", "metadata": {"name": "x", "namespace": "n"}, "spec": {"podSelector": {}, "egress": egress}}

test_named_destination_allowed if {
	count(p.deny) == 0 with input as np([{"to": [{"ipBlock": {"cidr": "10.50.10.0/24"}}], "ports": [{"port": 6514}]}])
}

test_rule_without_to_denied if {
	count(p.deny) == 1 with input as np([{"ports": [{"port": 443}]}])
}

test_world_cidr_denied if {
	count(p.deny) == 1 with input as np([{"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["169.254.169.254/32"]}}]}])
}

test_half_the_internet_denied if {
	count(p.deny) == 1 with input as np([{"to": [{"ipBlock": {"cidr": "0.0.0.0/1"}}]}])
}

test_default_deny_has_no_egress_rules if {
	count(p.deny) == 0 with input as np([])
}
