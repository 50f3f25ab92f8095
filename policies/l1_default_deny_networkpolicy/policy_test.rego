package privllm.policies.l1_default_deny_networkpolicy_test

import rego.v1

import data.privllm.policies.l1_default_deny_networkpolicy as p

ns := {"kind": "Namespace", "metadata": {"name": "a"}}

deny_all := {"kind": "NetworkPolicy", "metadata": {"name": "default-deny", "namespace": "a"}, "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}

test_default_deny_present if {
	count(p.deny) == 0 with input as ns with data.privllm.inventory as [ns, deny_all]
}

test_missing_denied if {
	count(p.deny) == 1 with input as ns with data.privllm.inventory as [ns]
}

test_ingress_only_is_not_enough if {
	ingress_only := json.patch(deny_all, [{"op": "replace", "path": "/spec/policyTypes", "value": ["Ingress"]}])
	count(p.deny) == 1 with input as ns with data.privllm.inventory as [ns, ingress_only]
}

test_allow_all_disguised_as_deny if {
	allow_all := json.patch(deny_all, [{"op": "add", "path": "/spec/egress", "value": [{}]}])
	count(p.deny) == 1 with input as ns with data.privllm.inventory as [ns, allow_all]
}

test_other_namespace_does_not_count if {
	elsewhere := json.patch(deny_all, [{"op": "replace", "path": "/metadata/namespace", "value": "b"}])
	count(p.deny) == 1 with input as ns with data.privllm.inventory as [ns, elsewhere]
}
