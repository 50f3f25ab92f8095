# METADATA
# title: Model servers and the gateway are scraped
# description: >-
#   Every model server and gateway Service is selected by a ServiceMonitor, so its metrics
#   (and the alerts built on them) exist.
# custom:
#   id: PLLM-L6-006
#   layer: 6
#   severity: medium
#   controls: [NSA-CISA:audit-logging, OWASP-LLM10]
#   kinds: [Service]
#   gatekeeper: false
package privllm.policies.l6_services_monitored

import rego.v1

import data.privllm.lib.kubernetes as k

watched := {"vllm-server", "llm-gateway"}

selects(monitor, labels) if {
	every key, value in monitor.spec.selector.matchLabels {
		labels[key] == value
	}
}

monitored if {
	some monitor in k.inventory_of("ServiceMonitor")
	monitor.metadata.namespace == input.metadata.namespace
	selects(monitor, input.metadata.labels)
}

deny contains msg if {
	input.metadata.labels["app.kubernetes.io/name"] in watched
	not monitored
	msg := sprintf("Service %s/%s is not scraped by any ServiceMonitor", [k.namespace, k.name])
}
