package privllm.policies.l1_no_open_ingress_test

import rego.v1

import data.privllm.policies.l1_no_open_ingress as p

sg(cidrs) := {"kind": "CloudResource", "type": "aws:ec2/securityGroup:SecurityGroup", "metadata": {"name": "sg"}, "inputs": {"ingress": [{"cidrBlocks": cidrs}]}}

test_named_range_allowed if {
	count(p.deny) == 0 with input as sg(["10.20.0.0/16"])
}

test_open_range_denied if {
	count(p.deny) == 1 with input as sg(["10.20.0.0/16", "0.0.0.0/0"])
}

test_ipv6_open_denied if {
	count(p.deny) == 1 with input as {"kind": "CloudResource", "type": "aws:ec2/securityGroup:SecurityGroup", "metadata": {"name": "sg"}, "inputs": {"ingress": [{"ipv6CidrBlocks": ["::/0"]}]}}
}

test_networkpolicy_open_denied if {
	count(p.deny) == 1 with input as {"kind": "NetworkPolicy", "metadata": {"name": "np"}, "spec": {"ingress": [{"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}]}}
}

test_egress_is_not_ingress if {
	count(p.deny) == 0 with input as {"kind": "NetworkPolicy", "metadata": {"name": "np"}, "spec": {"egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}]}}
}

np(rules) := {"kind": "NetworkPolicy", "metadata": {"name": "np", "namespace": "ns"}, "spec": {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": rules}}

test_rule_without_from_denied if {
	count(p.deny) == 1 with input as np([{"ports": [{"port": 8080}]}])
}

test_rule_with_empty_from_denied if {
	count(p.deny) == 1 with input as np([{"from": []}])
}

test_every_namespace_denied if {
	count(p.deny) == 1 with input as np([{"from": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "x"}}}]}])
}

test_named_namespace_allowed if {
	count(p.deny) == 0 with input as np([{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "clients"}}}]}])
}

test_two_halves_denied if {
	count(p.deny) == 2 with input as np([{"from": [{"ipBlock": {"cidr": "0.0.0.0/1"}}, {"ipBlock": {"cidr": "128.0.0.0/1"}}]}])
}

test_halves_split_over_rules_denied if {
	# each /1 is too wide on its own, and the check runs over all rules together
	count(p.deny) >= 1 with input as np([{"from": [{"ipBlock": {"cidr": "0.0.0.0/1"}}]}, {"from": [{"ipBlock": {"cidr": "128.0.0.0/1"}}]}])
}

test_256_slash_8s_cover_everything_denied if {
	blocks := [{"ipBlock": {"cidr": sprintf("%d.0.0.0/8", [i])}} | some i in numbers.range(0, 255)]
	some msg in p.deny with input as np([{"from": blocks}])
	contains(msg, "together cover all of IPv4")
}

test_duplicate_blocks_do_not_add_up if {
	blocks := [{"ipBlock": {"cidr": "10.0.0.0/8"}} | some _ in numbers.range(0, 300)]
	count(p.deny) == 0 with input as np([{"from": blocks}])
}

test_ipv6_all_denied if {
	count(p.deny) == 1 with input as np([{"from": [{"ipBlock": {"cidr": "::/0"}}]}])
}

test_ipv6_wide_denied if {
	count(p.deny) == 1 with input as np([{"from": [{"ipBlock": {"cidr": "2000::/3"}}]}])
}

test_private_range_allowed if {
	count(p.deny) == 0 with input as np([{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}}, {"ipBlock": {"cidr": "fd00:10::/32"}}]}])
}

test_nameless_policy_still_denied if {
	count(p.deny) == 1 with input as {"kind": "NetworkPolicy", "spec": {"ingress": [{}]}}
}
