package privllm.policies.l1_eks_network_policy_enforced_test

import rego.v1

import data.privllm.policies.l1_eks_network_policy_enforced as p

cluster := {"kind": "CloudResource", "type": "aws:eks/cluster:Cluster", "metadata": {"name": "c"}, "inputs": {"name": "ref"}}

addon(name, config) := {"kind": "CloudResource", "type": "aws:eks/addon:Addon", "metadata": {"name": name}, "inputs": {"clusterName": "ref", "addonName": name, "configurationValues": config}}

test_enforcing_allowed if {
	count(p.deny) == 0 with input as cluster with data.privllm.inventory as [addon("vpc-cni", "{\"enableNetworkPolicy\": \"true\"}")]
}

test_no_addon_denied if {
	count(p.deny) == 1 with input as cluster with data.privllm.inventory as []
}

test_disabled_denied if {
	count(p.deny) == 1 with input as cluster with data.privllm.inventory as [addon("vpc-cni", "{\"enableNetworkPolicy\": \"false\"}")]
}

test_boolean_true_is_not_the_documented_string if {
	count(p.deny) == 1 with input as cluster with data.privllm.inventory as [addon("vpc-cni", "{\"enableNetworkPolicy\": true}")]
}

test_setting_on_another_addon_does_not_count if {
	count(p.deny) == 1 with input as cluster with data.privllm.inventory as [addon("coredns", "{\"enableNetworkPolicy\": \"true\"}")]
}
