# METADATA
# title: Kubernetes API endpoint is private
# description: >-
#   The EKS API server must be reachable only from inside the VPC: no public endpoint,
#   private endpoint on.
# custom:
#   id: PLLM-L1-001
#   layer: 1
#   severity: critical
#   controls: [CIS-EKS-5.4.2, NSA-CISA:network-separation]
#   kinds: [CloudResource]
package privllm.policies.l1_private_api_endpoint

import rego.v1

cluster := input.inputs if input.type == "aws:eks/cluster:Cluster"

deny contains "the EKS API endpoint is public (vpcConfig.endpointPublicAccess is not false)" if {
	object.get(cluster, ["vpcConfig", "endpointPublicAccess"], true) != false
}

deny contains "the EKS private API endpoint is off (vpcConfig.endpointPrivateAccess is not true)" if {
	object.get(cluster, ["vpcConfig", "endpointPrivateAccess"], false) != true
}
