# METADATA
# title: A private API endpoint has a declared path in, and no default route out
# description: >-
#   With the public endpoint off, operators and CI reach the API only through a declared path:
#   a transit gateway attachment routed to their networks, or an in-VPC runner reached through
#   SSM. Routes name the corporate networks; a default route (0.0.0.0/0) would be an internet
#   path out of an air-gapped VPC.
# custom:
#   id: PLLM-L1-039
#   layer: 1
#   severity: high
#   controls: [CIS-EKS-5.4.1, NSA-CISA:network-separation]
#   kinds: [CloudResource]
#   gatekeeper: false
package privllm.policies.l1_eks_private_api_path_in

import rego.v1

import data.privllm.lib.kubernetes as k

resources(type) := [r | some r in k.inventory_of("CloudResource"); r.type == type]

routed_attachment if {
	some a in resources("aws:ec2transitgateway/vpcAttachment:VpcAttachment")
	some r in resources("aws:ec2/route:Route")
	r.inputs.transitGatewayId == a.inputs.transitGatewayId
}

runner if {
	some i in resources("aws:ec2/instance:Instance")
	object.get(i.inputs, "associatePublicIpAddress", true) == false
	object.get(i.inputs, "iamInstanceProfile", "") != ""
}

deny contains msg if {
	input.type == "aws:eks/cluster:Cluster"
	object.get(input.inputs, ["vpcConfig", "endpointPublicAccess"], true) == false
	not routed_attachment
	not runner
	msg := sprintf("EKS cluster %s has a private API endpoint and no path in: no routed transit gateway attachment and no in-VPC runner", [k.name])
}

deny contains msg if {
	input.type == "aws:ec2/route:Route"
	input.inputs.destinationCidrBlock == "0.0.0.0/0"
	msg := sprintf("route %s sends every destination out of the VPC; route the corporate networks by name", [k.name])
}
