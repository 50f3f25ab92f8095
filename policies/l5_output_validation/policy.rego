# METADATA
# title: Structured routes validate model output
# description: >-
#   A model the stack gives a response schema has that schema in the gateway, and the schema
#   declares a type, so the gateway validates every completion against it.
# custom:
#   id: PLLM-L5-004
#   layer: 5
#   severity: medium
#   controls: [OWASP-LLM05, OWASP-LLM09]
#   kinds: [StackConfig, ConfigMap]
#   needs_text: {ConfigMap: [gateway.yaml]}
#   gatekeeper: false
package privllm.policies.l5_output_validation

import rego.v1

import data.privllm.lib.kubernetes as k

validated(served_name) if {
	some cm in k.inventory_of("ConfigMap")
	cfg := yaml.unmarshal(cm.data["gateway.yaml"])
	some upstream in cfg.upstreams
	upstream.name == served_name
	object.get(upstream, "response_schema", null) != null
}

gateway_known if {
	some cm in k.inventory_of("ConfigMap")
	cm.data["gateway.yaml"]
}

deny contains msg if {
	input.kind == "StackConfig"
	gateway_known
	some model in input.spec.models
	object.get(model, "response_schema", null) != null
	not validated(model.served_name)
	msg := sprintf("model %s declares a response schema that the gateway does not enforce", [model.served_name])
}

deny contains msg if {
	some upstream in k.gateway_config.upstreams
	schema := object.get(upstream, "response_schema", null)
	schema != null
	not schema.type
	msg := sprintf("the response schema of %s declares no type", [k.shown(upstream, "name")])
}
