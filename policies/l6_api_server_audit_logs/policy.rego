# METADATA
# title: Kubernetes API-server audit logging is on
# description: >-
#   The control plane ships its api, audit and authenticator logs, so every access to the
#   cluster is on record.
# custom:
#   id: PLLM-L6-002
#   layer: 6
#   severity: high
#   controls: [CIS-EKS-2.1.1, NSA-CISA:audit-logging]
#   kinds: [CloudResource]
#   gatekeeper: false
package privllm.policies.l6_api_server_audit_logs

import rego.v1

deny contains msg if {
	input.type == "aws:eks/cluster:Cluster"
	some log in ["api", "audit", "authenticator"]
	not log in object.get(input.inputs, "enabledClusterLogTypes", [])
	msg := sprintf("EKS control-plane %s logs are off", [log])
}
