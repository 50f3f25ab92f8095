# METADATA
# title: Nodes require IMDSv2 with hop limit 1
# description: >-
#   Instance metadata needs session tokens (IMDSv2) and a hop limit of 1, so a pod cannot
#   reach the node's credentials.
# custom:
#   id: PLLM-L1-005
#   layer: 1
#   severity: high
#   controls: [CIS-EKS-4.2.1, NSA-CISA:network-separation]
#   kinds: [CloudResource]
package privllm.policies.l1_imdsv2

import rego.v1

import data.privllm.lib.kubernetes as k

options := object.get(input.inputs, "metadataOptions", {}) if input.type == "aws:ec2/launchTemplate:LaunchTemplate"

deny contains msg if {
	object.get(options, "httpTokens", "optional") != "required"
	msg := sprintf("launch template %s does not require IMDSv2 tokens", [k.name])
}

deny contains msg if {
	object.get(options, "httpPutResponseHopLimit", 2) > 1
	msg := sprintf("launch template %s lets metadata responses travel more than one hop (pods reach node credentials)", [k.name])
}
