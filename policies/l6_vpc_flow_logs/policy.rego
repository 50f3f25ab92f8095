# METADATA
# title: VPC flow logs are recorded
# description: >-
#   A VPC has a flow log capturing all traffic, so network access is on record for the SIEM.
# custom:
#   id: PLLM-L6-005
#   layer: 6
#   severity: medium
#   controls: [NSA-CISA:audit-logging, CIS-EKS-2.1.1]
#   kinds: [CloudResource]
#   gatekeeper: false
package privllm.policies.l6_vpc_flow_logs

import rego.v1

import data.privllm.lib.kubernetes as k

flow_logs := [r | some r in k.inventory_of("CloudResource"); r.type == "aws:ec2/flowLog:FlowLog"]

deny contains msg if {
	input.type == "aws:ec2/vpc:Vpc"
	count([f | some f in flow_logs; f.inputs.trafficType == "ALL"]) == 0
	msg := sprintf("VPC %s has no flow log capturing ALL traffic", [k.name])
}

deny contains msg if {
	input.type == "aws:ec2/flowLog:FlowLog"
	input.inputs.trafficType != "ALL"
	msg := sprintf("flow log %s captures only %s traffic", [k.name, k.shown(input.inputs, "trafficType")])
}
