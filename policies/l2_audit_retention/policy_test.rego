package privllm.policies.l2_audit_retention_test

import rego.v1

import data.privllm.policies.l2_audit_retention as p

stack(spec) := {"kind": "StackConfig", "metadata": {"name": "s"}, "spec": spec}

test_year_for_confidential_allowed if {
	count(p.deny) == 0 with input as stack({"telemetry": {"audit_retention_days": 365}, "models": [{"data_classification": "confidential"}]})
}

test_short_for_confidential_denied if {
	count(p.deny) == 1 with input as stack({"telemetry": {"audit_retention_days": 90}, "models": [{"data_classification": "restricted"}]})
}

test_ninety_days_for_internal_allowed if {
	count(p.deny) == 0 with input as stack({"telemetry": {"audit_retention_days": 90}, "models": [{"data_classification": "internal"}]})
}

test_log_group_without_retention_denied if {
	count(p.deny) == 1 with input as {"kind": "CloudResource", "type": "aws:cloudwatch/logGroup:LogGroup", "metadata": {"name": "g"}, "inputs": {}}
}
