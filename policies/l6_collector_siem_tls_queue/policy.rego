# METADATA
# title: Audit records reach the SIEM over TLS without loss
# description: >-
#   The central collector exports to at least one SIEM destination, every exporter uses TLS,
#   and every exporter has a persistent (file_storage) sending queue so an outage delays
#   delivery instead of losing records.
# custom:
#   id: PLLM-L6-001
#   layer: 6
#   severity: critical
#   controls: [NSA-CISA:audit-logging, OWASP-LLM10]
#   kinds: [HelmRelease]
#   gatekeeper: false
package privllm.policies.l6_collector_siem_tls_queue

import rego.v1

import data.privllm.lib.kubernetes as k

# The central collector is the one that receives OTLP (the gateway's and the agents' records).
central if {
	endswith(input.spec.chart, "/opentelemetry-collector")
	object.get(input.spec.values, ["config", "receivers", "otlp"], null) != null
}

exporters := object.get(input.spec.values, ["config", "exporters"], {}) if central

deny contains msg if {
	central
	count(exporters) == 0
	msg := sprintf("collector %s has no exporter: audit records go nowhere", [k.name])
}

deny contains msg if {
	some name, exporter in exporters
	object.get(exporter, ["tls", "insecure"], false) == true
	msg := sprintf("exporter %s sends without TLS", [name])
}

deny contains msg if {
	some name, exporter in exporters
	startswith(name, "otlp")
	startswith(lower(object.get(exporter, "endpoint", "")), "http://")
	msg := sprintf("exporter %s uses a plain http:// endpoint", [name])
}

deny contains msg if {
	some name, exporter in exporters
	not exporter.sending_queue.storage
	msg := sprintf("exporter %s has no persistent sending queue: a SIEM outage would lose records", [name])
}
