# METADATA
# title: No ingress from anywhere
# description: >-
#   Neither a security group nor a NetworkPolicy admits traffic from 0.0.0.0/0 or ::/0;
#   the gateway's clients are named by their own ranges. A NetworkPolicy ingress rule is
#   open in all its forms: no `from` (every source), a peer with namespaceSelector {} (every
#   namespace), an IPv4 block wider than /8 or an IPv6 block wider than /16, and blocks that
#   together cover the whole address space (0.0.0.0/1 + 128.0.0.0/1).
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

ingress_rules := [rule | some rule in k.as_array(object.get(object.get(input, "spec", {}), "ingress", [])); is_object(rule)]

peers := [peer | some rule in ingress_rules; some peer in k.as_array(object.get(rule, "from", [])); is_object(peer)]

cidr_shape := `^[0-9a-fA-F.:]+/[0-9]{1,3}$`

cidrs := {c | some peer in peers; c := object.get(peer, ["ipBlock", "cidr"], ""); is_string(c); regex.match(cidr_shape, c)}

prefix(cidr) := to_number(split(cidr, "/")[1])

ipv6(cidr) if contains(cidr, ":")

too_wide(cidr) if {
	not ipv6(cidr)
	prefix(cidr) < 8
}

too_wide(cidr) if {
	ipv6(cidr)
	prefix(cidr) < 16
}

# CIDR blocks are nested or disjoint, so the outermost ones add up without overlap.
outermost_v4 := {c |
	some c in cidrs
	not ipv6(c)
	not inside_another(c)
}

inside_another(c) if {
	some other in cidrs
	other != c
	not ipv6(other)
	net.cidr_contains(other, c)
	not same_block(other, c)
}

inside_another(c) if {
	some other in cidrs
	other < c
	same_block(other, c)
}

# 10.0.0.0/8 and 10.0.0.1/8 name the same block.
same_block(a, b) if {
	prefix(a) == prefix(b)
	net.cidr_contains(a, b)
}

covers_all_v4 if sum([bits.lsh(1, 32 - prefix(c)) | some c in outermost_v4]) >= 4294967296

deny contains msg if {
	input.kind == "NetworkPolicy"
	some i, rule in ingress_rules
	count(k.as_array(object.get(rule, "from", []))) == 0
	msg := sprintf("NetworkPolicy %s/%s: ingress rule %d has no 'from', so it admits every source", [k.namespace, k.name, i])
}

deny contains msg if {
	input.kind == "NetworkPolicy"
	some peer in peers
	peer.namespaceSelector == {}
	msg := sprintf("NetworkPolicy %s/%s admits pods of every namespace (namespaceSelector {})", [k.namespace, k.name])
}

deny contains msg if {
	input.kind == "NetworkPolicy"
	some cidr in cidrs
	too_wide(cidr)
	msg := sprintf("NetworkPolicy %s/%s admits %s, which is the internet or most of it", [k.namespace, k.name, cidr])
}

deny contains msg if {
	input.kind == "NetworkPolicy"
	covers_all_v4
	not any_too_wide_v4
	msg := sprintf("NetworkPolicy %s/%s admits blocks that together cover all of IPv4 (%s)", [k.namespace, k.name, concat(", ", sort(outermost_v4))])
}

any_too_wide_v4 if {
	some cidr in cidrs
	not ipv6(cidr)
	too_wide(cidr)
}
