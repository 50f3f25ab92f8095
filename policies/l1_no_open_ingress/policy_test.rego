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
