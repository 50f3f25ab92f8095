# METADATA
# title: The gateway sends audit records to the collector over TLS
# description: >-
#   The gateway is configured with an https OTLP endpoint (and a CA to verify it), so one
#   audit record per request reaches the collector.
# custom:
#   id: PLLM-L6-003
#   layer: 6
#   severity: high
#   controls: [NSA-CISA:audit-logging, OWASP-LLM10]
#   kinds: [Deployment]
#   needs_text: [llm-gateway]
package privllm.policies.l6_gateway_audit

import rego.v1

import data.privllm.lib.kubernetes as k

env_of(container) := {e.name: object.get(e, "value", "") | some e in object.get(container, "env", [])}

deny contains msg if {
	k.is_gateway
	some spec in k.pod_specs
	some container in spec.containers
	container.name == "gateway"
	env := env_of(container)
	not startswith(object.get(env, "OTEL_EXPORTER_OTLP_ENDPOINT", ""), "https://")
	msg := sprintf("gateway %s has no https OTLP endpoint for its audit records", [k.name])
}

deny contains msg if {
	k.is_gateway
	some spec in k.pod_specs
	some container in spec.containers
	container.name == "gateway"
	lower(object.get(env_of(container), "OTEL_EXPORTER_OTLP_INSECURE", "false")) == "true"
	msg := sprintf("gateway %s sends audit records without TLS", [k.name])
}
