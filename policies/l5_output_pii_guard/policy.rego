# METADATA
# title: Sensitive data is redacted from model output
# description: >-
#   The gateway's output guard redacts (or blocks) personal data and credentials before a
#   client sees a completion, streamed or not.
# custom:
#   id: PLLM-L5-001
#   layer: 5
#   severity: high
#   controls: [OWASP-LLM02, OWASP-LLM05]
#   kinds: [ConfigMap, StackConfig]
#   needs_text: {ConfigMap: [gateway.yaml]}
#   gatekeeper: false
package privllm.policies.l5_output_pii_guard

import rego.v1

import data.privllm.lib.kubernetes as k

mode := k.gateway_config.guardrails.pii_output if k.gateway_config

mode := input.spec.gateway.guardrails.pii_output if input.kind == "StackConfig"

in_scope if k.gateway_config

in_scope if input.kind == "StackConfig"

deny contains "the output guard does not redact or block sensitive data (guardrails.pii_output)" if {
	in_scope
	not mode in {"redact", "block"}
}
