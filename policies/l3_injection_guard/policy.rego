# METADATA
# title: Prompt-injection guard blocks where it matters
# description: >-
#   The gateway's prompt-injection guard is on; for high-risk, confidential or restricted
#   models it blocks rather than only flags.
# custom:
#   id: PLLM-L3-007
#   layer: 3
#   severity: high
#   controls: [OWASP-LLM01, OWASP-LLM07]
#   kinds: [ConfigMap, StackConfig]
#   needs_text: {ConfigMap: [gateway.yaml]}
#   gatekeeper: false
package privllm.policies.l3_injection_guard

import rego.v1

import data.privllm.lib.kubernetes as k

sensitive(model) if model.high_risk == true

sensitive(model) if model.data_classification in {"confidential", "restricted"}

action := k.gateway_config.guardrails.prompt_injection if k.gateway_config

action := input.spec.gateway.guardrails.prompt_injection if input.kind == "StackConfig"

models := k.gateway_config.upstreams if k.gateway_config

models := input.spec.models if input.kind == "StackConfig"

in_scope if k.gateway_config

in_scope if input.kind == "StackConfig"

deny contains "the prompt-injection guard is not set to block or flag" if {
	in_scope
	not action in {"block", "flag"}
}

deny contains msg if {
	action == "flag"
	some model in models
	sensitive(model)
	msg := sprintf("prompt-injection guard only flags, but %s is high-risk or holds sensitive data", [model.name])
}
