# METADATA
# title: Node groups that start empty have an autoscaler to grow them
# description: >-
#   A managed node group with minimum size 0 stays at zero unless a node autoscaler (Cluster
#   Autoscaler or Karpenter) runs in the cluster: scale-from-zero models would never get a GPU,
#   and requests would queue without bound. A node group whose launch template declares EFA
#   interfaces keeps them in one security group open only to itself.
# custom:
#   id: PLLM-L1-038
#   layer: 1
#   severity: medium
#   controls: [OWASP-LLM10, NSA-CISA:network-separation]
#   kinds: [CloudResource]
#   gatekeeper: false
package privllm.policies.l1_gpu_pools_scale_from_zero

import rego.v1

import data.privllm.lib.kubernetes as k

autoscaler_charts := {"cluster-autoscaler", "karpenter"}

has_autoscaler if {
	some r in k.inventory_of("HelmRelease")
	chart := r.spec.chart
	some name in autoscaler_charts
	endswith(chart, concat("/", ["", name]))
}

has_autoscaler if {
	some r in k.inventory_of("HelmRelease")
	r.spec.chart in autoscaler_charts
}

deny contains msg if {
	input.type == "aws:eks/nodeGroup:NodeGroup"
	object.get(input.inputs, ["scalingConfig", "minSize"], 1) == 0
	not has_autoscaler
	msg := sprintf("node group %s starts at 0 nodes and no node autoscaler (cluster-autoscaler, karpenter) would grow it", [k.name])
}

self_only(rule) if {
	rule.self == true
	count(object.get(rule, "cidrBlocks", [])) == 0
}

deny contains msg if {
	input.type == "aws:ec2/securityGroup:SecurityGroup"
	endswith(input.metadata.name, "-efa")
	some direction in ["ingress", "egress"]
	some rule in object.get(input.inputs, direction, [])
	not self_only(rule)
	msg := sprintf("EFA security group %s has a %s rule beyond the group itself", [k.name, direction])
}
