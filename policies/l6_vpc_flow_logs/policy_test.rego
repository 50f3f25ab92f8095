package privllm.policies.l6_vpc_flow_logs_test

import rego.v1

import data.privllm.policies.l6_vpc_flow_logs as p

vpc := {"kind": "CloudResource", "type": "aws:ec2/vpc:Vpc", "metadata": {"name": "v"}, "inputs": {}}

flow(traffic) := {"kind": "CloudResource", "type": "aws:ec2/flowLog:FlowLog", "metadata": {"name": "f"}, "inputs": {"trafficType": traffic}}

test_flow_log_allowed if {
	count(p.deny) == 0 with input as vpc with data.privllm.inventory as [vpc, flow("ALL")]
}

test_missing_denied if {
	count(p.deny) == 1 with input as vpc with data.privllm.inventory as [vpc]
}

test_reject_only_denied if {
	count(p.deny) == 1 with input as flow("REJECT")
}
