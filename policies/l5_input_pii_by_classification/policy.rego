# METADATA
# title: Sensitive input is not passed through for sensitive models
# description: >-
#   Personal data and credentials in prompts are redacted or blocked for confidential and
#   restricted models; only public and internal classes may allow them through.
# custom:
#   id: PLLM-L5-005
#   layer: 5
#   severity: high
#   controls: [OWASP-LLM02]
#   kinds: [ConfigMap, StackConfig]
#   needs_text: {ConfigMap: [gateway.yaml]}
#   gatekeeper: false
package privllm.policies.l5_input_pii_by_classification

import rego.v1

import data.privllm.lib.kubernetes as k

actions := k.gateway_config.guardrails.pii_input if k.gateway_config

actions := input.spec.gateway.guardrails.pii_input if input.kind == "StackConfig"

deny contains msg if {
	some cls in ["confidential", "restricted"]
	configured := actions
	not object.get(configured, cls, "allow") in {"redact", "block"}
	msg := sprintf("input PII for %s data is %s; it must be redacted or blocked", [cls, object.get(configured, cls, "unset (allow)")])
}
