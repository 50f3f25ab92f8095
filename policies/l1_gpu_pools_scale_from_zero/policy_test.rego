package privllm.policies.l1_gpu_pools_scale_from_zero_test

import rego.v1

import data.privllm.policies.l1_gpu_pools_scale_from_zero as p

group(min) := {"kind": "CloudResource", "type": "aws:eks/nodeGroup:NodeGroup", "metadata": {"name": "l40s"}, "inputs": {"scalingConfig": {"minSize": min, "maxSize": 4}}}

release(chart) := {"kind": "HelmRelease", "metadata": {"name": "r"}, "spec": {"chart": chart}}

efa(rules) := {"kind": "CloudResource", "type": "aws:ec2/securityGroup:SecurityGroup", "metadata": {"name": "ref-gpu-pools-h100-efa"}, "inputs": {"ingress": rules, "egress": rules}}

test_autoscaler_allowed if {
	count(p.deny) == 0 with input as group(0) with data.privllm.inventory as [release("oci://m/charts/cluster-autoscaler")]
}

test_karpenter_allowed if {
	count(p.deny) == 0 with input as group(0) with data.privllm.inventory as [release("karpenter")]
}

test_no_autoscaler_denied if {
	count(p.deny) == 1 with input as group(0) with data.privllm.inventory as []
}

test_lookalike_chart_denied if {
	count(p.deny) == 1 with input as group(0) with data.privllm.inventory as [release("oci://m/charts/not-cluster-autoscaler")]
}

test_fixed_size_group_needs_none if {
	count(p.deny) == 0 with input as group(1) with data.privllm.inventory as []
}

test_efa_self_only_allowed if {
	count(p.deny) == 0 with input as efa([{"protocol": "-1", "fromPort": 0, "toPort": 0, "self": true}])
}

test_efa_open_to_vpc_denied if {
	count(p.deny) == 2 with input as efa([{"protocol": "-1", "fromPort": 0, "toPort": 0, "self": true, "cidrBlocks": ["10.40.0.0/16"]}])
}
