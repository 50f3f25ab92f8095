# METADATA
# title: Data stays in the allowed regions
# description: >-
#   A cloud stack names its data-residency allowlist and deploys only inside it.
# custom:
#   id: PLLM-L2-004
#   layer: 2
#   severity: high
#   controls: [OWASP-LLM02]
#   kinds: [StackConfig]
#   gatekeeper: false
package privllm.policies.l2_region_residency

import rego.v1

target := input.spec.target if input.kind == "StackConfig"

deny contains msg if {
	target.kind == "eks"
	count(object.get(target, "allowed_regions", [])) == 0
	msg := "the eks stack has no allowed_regions: data residency is not declared"
}

deny contains msg if {
	target.region
	count(object.get(target, "allowed_regions", [])) > 0
	not target.region in target.allowed_regions
	msg := sprintf("region %s is outside the allowlist %v", [target.region, target.allowed_regions])
}
