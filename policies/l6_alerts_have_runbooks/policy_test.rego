package privllm.policies.l6_alerts_have_runbooks_test

import rego.v1

import data.privllm.policies.l6_alerts_have_runbooks as p

rules(rs) := {"kind": "PrometheusRule", "metadata": {"name": "r"}, "spec": {"groups": [{"name": "g", "rules": rs}]}}

complete := {"alert": "A", "labels": {"severity": "warning"}, "annotations": {"summary": "s", "runbook_url": "https://runbooks/a.md"}}

test_complete_allowed if {
	count(p.deny) == 0 with input as rules([complete, {"record": "x:y", "expr": "1"}])
}

test_missing_runbook_denied if {
	count(p.deny) == 1 with input as rules([json.patch(complete, [{"op": "remove", "path": "/annotations/runbook_url"}])])
}

test_http_runbook_denied if {
	count(p.deny) == 1 with input as rules([json.patch(complete, [{"op": "replace", "path": "/annotations/runbook_url", "value": "http://wiki/a"}])])
}

test_unknown_severity_denied if {
	count(p.deny) == 1 with input as rules([json.patch(complete, [{"op": "replace", "path": "/labels/severity", "value": "page"}])])
}
