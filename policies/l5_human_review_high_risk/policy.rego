# METADATA
# title: High-risk models are held for human review
# description: >-
#   Every model the stack marks high_risk is configured in the gateway as high-risk, so its
#   completions are held until a reviewer approves them.
# custom:
#   id: PLLM-L5-003
#   layer: 5
#   severity: critical
#   controls: [OWASP-LLM06, OWASP-LLM09]
#   kinds: [StackConfig]
#   gatekeeper: false
package privllm.policies.l5_human_review_high_risk

import rego.v1

import data.privllm.lib.kubernetes as k

held(served_name) if {
	some cm in k.inventory_of("ConfigMap")
	cfg := yaml.unmarshal(cm.data["gateway.yaml"])
	some upstream in cfg.upstreams
	upstream.name == served_name
	upstream.high_risk == true
}

gateway_known if {
	some cm in k.inventory_of("ConfigMap")
	cm.data["gateway.yaml"]
}

deny contains msg if {
	input.kind == "StackConfig"
	gateway_known
	some model in input.spec.models
	model.high_risk == true
	not held(model.served_name)
	msg := sprintf("high-risk model %s is not held for review by the gateway", [model.served_name])
}

deny contains msg if {
	input.kind == "StackConfig"
	some model in input.spec.models
	model.high_risk == true
	input.spec.gateway.guardrails.human_review_timeout_seconds > 604800
	msg := sprintf("held completions of %s wait more than 7 days for review", [model.served_name])
}
