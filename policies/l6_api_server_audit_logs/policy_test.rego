package privllm.policies.l6_api_server_audit_logs_test

import rego.v1

import data.privllm.policies.l6_api_server_audit_logs as p

eks(logs) := {"kind": "CloudResource", "type": "aws:eks/cluster:Cluster", "inputs": {"enabledClusterLogTypes": logs}}

test_all_on_allowed if {
	count(p.deny) == 0 with input as eks(["api", "audit", "authenticator", "scheduler"])
}

test_audit_off_denied if {
	count(p.deny) == 1 with input as eks(["api", "authenticator"])
}

test_none_denied if {
	count(p.deny) == 3 with input as {"kind": "CloudResource", "type": "aws:eks/cluster:Cluster", "inputs": {}}
}
