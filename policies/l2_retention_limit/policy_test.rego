package privllm.policies.l2_retention_limit_test

import rego.v1

import data.privllm.policies.l2_retention_limit as p

stack(spec) := {"kind": "StackConfig", "metadata": {"name": "s"}, "spec": spec}

test_within_limit_allowed if {
	count(p.deny) == 0 with input as stack({"data": {"retention_days": 30, "max_retention_days": 90}})
}

test_beyond_limit_denied if {
	count(p.deny) == 1 with input as stack({"data": {"retention_days": 120, "max_retention_days": 90}})
}

test_limit_over_a_year_denied if {
	count(p.deny) == 1 with input as stack({"data": {"retention_days": 30, "max_retention_days": 3650}})
}
