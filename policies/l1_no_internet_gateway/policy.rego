# METADATA
# title: No internet or NAT gateway
# description: >-
#   The kit's networks have no route to the internet: no internet gateway, NAT gateway,
#   egress-only gateway or elastic IP. Dependencies come through VPC endpoints and the mirror.
# custom:
#   id: PLLM-L1-002
#   layer: 1
#   severity: critical
#   controls: [NSA-CISA:network-separation, OWASP-LLM03]
#   kinds: [CloudResource]
package privllm.policies.l1_no_internet_gateway

import rego.v1

internet_types := {
	"aws:ec2/internetGateway:InternetGateway",
	"aws:ec2/natGateway:NatGateway",
	"aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway",
	"aws:ec2/eip:Eip",
}

deny contains msg if {
	input.type in internet_types
	msg := sprintf("%s opens a path to the internet; an air-gapped stack uses VPC endpoints and the mirror", [input.type])
}

deny contains msg if {
	input.type == "aws:ec2/routeTable:RouteTable"
	some route in object.get(input.inputs, "routes", [])
	object.get(route, "cidrBlock", "") == "0.0.0.0/0"
	msg := "a route table sends 0.0.0.0/0 somewhere: the network has a default route out"
}
