# METADATA
# title: Every alert has a runbook, a severity and a summary
# description: >-
#   Each alerting rule links an https runbook, carries a severity label (critical, warning or
#   info) and a summary, so the person paged knows what broke and what to do.
# custom:
#   id: PLLM-L6-004
#   layer: 6
#   severity: medium
#   controls: [NSA-CISA:audit-logging]
#   kinds: [PrometheusRule]
package privllm.policies.l6_alerts_have_runbooks

import rego.v1

alerts contains rule if {
	some group in input.spec.groups
	some rule in group.rules
	rule.alert
}

deny contains msg if {
	some rule in alerts
	not startswith(object.get(rule, ["annotations", "runbook_url"], ""), "https://")
	msg := sprintf("alert %s has no https runbook_url", [rule.alert])
}

deny contains msg if {
	some rule in alerts
	not object.get(rule, ["labels", "severity"], "") in {"critical", "warning", "info"}
	msg := sprintf("alert %s has no severity label (critical, warning or info)", [rule.alert])
}

deny contains msg if {
	some rule in alerts
	object.get(rule, ["annotations", "summary"], "") == ""
	msg := sprintf("alert %s has no summary", [rule.alert])
}
