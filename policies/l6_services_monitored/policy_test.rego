package privllm.policies.l6_services_monitored_test

import rego.v1

import data.privllm.policies.l6_services_monitored as p

svc := {"kind": "Service", "metadata": {"name": "m", "namespace": "s", "labels": {"app.kubernetes.io/name": "vllm-server", "app.kubernetes.io/instance": "m"}}}

monitor(ns, labels) := {"kind": "ServiceMonitor", "metadata": {"name": "m", "namespace": ns}, "spec": {"selector": {"matchLabels": labels}}}

test_monitored_allowed if {
	count(p.deny) == 0 with input as svc with data.privllm.inventory as [monitor("s", {"app.kubernetes.io/name": "vllm-server", "app.kubernetes.io/instance": "m"})]
}

test_unmonitored_denied if {
	count(p.deny) == 1 with input as svc with data.privllm.inventory as []
}

test_monitor_for_other_instance_does_not_count if {
	count(p.deny) == 1 with input as svc with data.privllm.inventory as [monitor("s", {"app.kubernetes.io/instance": "other"})]
}

test_monitor_in_other_namespace_does_not_count if {
	count(p.deny) == 1 with input as svc with data.privllm.inventory as [monitor("t", {"app.kubernetes.io/name": "vllm-server"})]
}
