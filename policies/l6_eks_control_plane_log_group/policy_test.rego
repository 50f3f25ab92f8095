package privllm.policies.l6_eks_control_plane_log_group_test

import rego.v1

import data.privllm.policies.l6_eks_control_plane_log_group as p

cluster := {"kind": "CloudResource", "type": "aws:eks/cluster:Cluster", "metadata": {"name": "c"}, "inputs": {"name": "ref"}}

group(name, inputs) := {"kind": "CloudResource", "type": "aws:cloudwatch/logGroup:LogGroup", "metadata": {"name": "g"}, "inputs": object.union({"name": name}, inputs)}

good := {"kmsKeyId": "arn:k", "retentionInDays": 365}

test_owned_group_allowed if {
	count(p.deny) == 0 with input as cluster with data.privllm.inventory as [group("/aws/eks/ref/cluster", good)]
}

test_missing_group_denied if {
	count(p.deny) == 1 with input as cluster with data.privllm.inventory as [group("/aws/eks/other/cluster", good)]
}

test_unencrypted_denied if {
	count(p.deny) == 1 with input as cluster with data.privllm.inventory as [group("/aws/eks/ref/cluster", {"retentionInDays": 365})]
}

test_invalid_retention_denied if {
	count(p.deny) == 1 with input as cluster with data.privllm.inventory as [group("/aws/eks/ref/cluster", {"kmsKeyId": "arn:k", "retentionInDays": 45})]
}

test_no_retention_denied if {
	count(p.deny) == 1 with input as cluster with data.privllm.inventory as [group("/aws/eks/ref/cluster", {"kmsKeyId": "arn:k"})]
}
