# METADATA
# title: Audit records are kept long enough
# description: >-
#   Audit records (and the network flow logs behind them) are kept at least 365 days when any
#   model handles confidential or restricted data, and at least 90 days otherwise.
# custom:
#   id: PLLM-L2-006
#   layer: 2
#   severity: medium
#   controls: [NSA-CISA:audit-logging, OWASP-LLM02]
#   kinds: [StackConfig, CloudResource]
#   gatekeeper: false
package privllm.policies.l2_audit_retention

import rego.v1

import data.privllm.lib.kubernetes as k

sensitive if {
	some model in input.spec.models
	model.data_classification in {"confidential", "restricted"}
}

required := 365 if sensitive

else := 90

deny contains msg if {
	input.kind == "StackConfig"
	input.spec.telemetry.audit_retention_days < required
	msg := sprintf("audit records are kept %d days; this stack's data needs at least %d", [input.spec.telemetry.audit_retention_days, required])
}

deny contains msg if {
	input.type == "aws:cloudwatch/logGroup:LogGroup"
	object.get(input.inputs, "retentionInDays", 0) < 90
	msg := sprintf("log group %s keeps logs %v days (at least 90, and 0 means unset)", [k.name, object.get(input.inputs, "retentionInDays", 0)])
}
