# METADATA
# title: Stored data is kept no longer than the limit
# description: >-
#   The retention of stored prompts and completions is within the stack's maximum, and the
#   maximum itself is at most one year.
# custom:
#   id: PLLM-L2-002
#   layer: 2
#   severity: medium
#   controls: [OWASP-LLM02]
#   kinds: [StackConfig]
#   gatekeeper: false
package privllm.policies.l2_retention_limit

import rego.v1

data_policy := input.spec.data if input.kind == "StackConfig"

deny contains msg if {
	data_policy.retention_days > data_policy.max_retention_days
	msg := sprintf("data is retained %d days, beyond the %d-day limit", [data_policy.retention_days, data_policy.max_retention_days])
}

deny contains msg if {
	data_policy.max_retention_days > 365
	msg := sprintf("the retention limit of %d days exceeds one year", [data_policy.max_retention_days])
}
