# METADATA
# title: The EKS CNI enforces NetworkPolicy
# description: >-
#   vpc-cni enforces NetworkPolicy only when its add-on configuration sets enableNetworkPolicy;
#   without it every default-deny and allow-list of layer 1 is void on EKS.
# custom:
#   id: PLLM-L1-032
#   layer: 1
#   severity: critical
#   controls: [CIS-EKS-5.4.4, NSA-CISA:network-separation]
#   kinds: [CloudResource]
#   gatekeeper: false
package privllm.policies.l1_eks_network_policy_enforced

import rego.v1

import data.privllm.lib.kubernetes as k

vpc_cni_addons := [a |
	some a in k.inventory_of("CloudResource")
	a.type == "aws:eks/addon:Addon"
	a.inputs.addonName == "vpc-cni"
	a.inputs.clusterName == input.inputs.name
]

enforcing(addon) if {
	json.is_valid(object.get(addon.inputs, "configurationValues", ""))
	config := json.unmarshal(addon.inputs.configurationValues)
	config.enableNetworkPolicy == "true"
}

deny contains msg if {
	input.type == "aws:eks/cluster:Cluster"
	count([a | some a in vpc_cni_addons; enforcing(a)]) == 0
	msg := sprintf("EKS cluster %s has no vpc-cni add-on with enableNetworkPolicy \"true\": NetworkPolicies would not be enforced", [k.name])
}
