# METADATA
# title: Every model route is rate limited
# description: >-
#   The gateway limits requests and tokens per minute for every principal and caps
#   max_tokens, the defence against unbounded consumption and model extraction.
# custom:
#   id: PLLM-L3-006
#   layer: 3
#   severity: high
#   controls: [OWASP-LLM10]
#   kinds: [ConfigMap, StackConfig]
#   needs_text: {ConfigMap: [gateway.yaml]}
#   gatekeeper: false
package privllm.policies.l3_rate_limits

import rego.v1

import data.privllm.lib.kubernetes as k

limits := k.gateway_config.rate_limits if k.gateway_config

limits := input.spec.gateway.rate_limits if input.kind == "StackConfig"

deny contains msg if {
	k.gateway_config
	not k.gateway_config.rate_limits
	msg := "the gateway configuration has no rate_limits"
}

deny contains msg if {
	some field in ["requests_per_minute", "tokens_per_minute", "max_tokens_cap"]
	configured := limits
	not object.get(configured, field, 0) > 0
	msg := sprintf("rate limit %s is not set to a positive number", [field])
}
