# METADATA
# title: No ingress from anywhere
# description: >-
#   Neither a security group nor a NetworkPolicy admits traffic from 0.0.0.0/0 or ::/0;
#   the gateway's clients are named by their own ranges.
# custom:
#   id: PLLM-L1-003
#   layer: 1
#   severity: critical
#   controls: [NSA-CISA:network-separation, CIS-5.3.2]
#   kinds: [CloudResource, NetworkPolicy]
package privllm.policies.l1_no_open_ingress

import rego.v1

import data.privllm.lib.kubernetes as k

open_cidrs := {"0.0.0.0/0", "::/0"}

deny contains msg if {
	input.type in {"aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"}
	some rule in object.get(input.inputs, "ingress", [])
	some cidr in array.concat(object.get(rule, "cidrBlocks", []), object.get(rule, "ipv6CidrBlocks", []))
	cidr in open_cidrs
	msg := sprintf("security group %s admits %s", [k.name, cidr])
}

deny contains msg if {
	input.type == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	object.get(input.inputs, "cidrIpv4", "") in open_cidrs
	msg := sprintf("security group rule %s admits 0.0.0.0/0", [k.name])
}

deny contains msg if {
	input.kind == "NetworkPolicy"
	some rule in object.get(input.spec, "ingress", [])
	some peer in object.get(rule, "from", [])
	peer.ipBlock.cidr in open_cidrs
	msg := sprintf("NetworkPolicy %s admits %s", [k.name, peer.ipBlock.cidr])
}
