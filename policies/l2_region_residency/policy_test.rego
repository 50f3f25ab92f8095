package privllm.policies.l2_region_residency_test

import rego.v1

import data.privllm.policies.l2_region_residency as p

stack(spec) := {"kind": "StackConfig", "metadata": {"name": "s"}, "spec": spec}

test_inside_allowed if {
	count(p.deny) == 0 with input as stack({"target": {"kind": "eks", "region": "eu-central-1", "allowed_regions": ["eu-central-1"]}})
}

test_outside_denied if {
	count(p.deny) == 1 with input as stack({"target": {"kind": "eks", "region": "us-east-1", "allowed_regions": ["eu-central-1"]}})
}

test_undeclared_denied if {
	count(p.deny) == 1 with input as stack({"target": {"kind": "eks", "region": "eu-central-1"}})
}

test_kind_needs_no_region if {
	count(p.deny) == 0 with input as stack({"target": {"kind": "kind"}})
}
