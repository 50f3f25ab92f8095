package privllm.policies.l1_host_access_test

import rego.v1

import data.privllm.policies.l1_host_access as p

deployment(pod_spec) := {"kind": "Deployment", "metadata": {"name": "d", "namespace": "n"}, "spec": {"template": {"spec": pod_spec}}}

test_plain_pod_allowed if {
	count(p.deny) == 0 with input as deployment({"containers": [{"name": "a"}]})
}

test_host_network_denied if {
	count(p.deny) == 1 with input as deployment({"hostNetwork": true, "containers": [{"name": "a"}]})
}

test_host_path_denied if {
	count(p.deny) == 1 with input as deployment({"containers": [{"name": "a"}], "volumes": [{"name": "v", "hostPath": {"path": "/var/run"}}]})
}

test_host_port_in_init_container_denied if {
	count(p.deny) == 1 with input as deployment({"containers": [{"name": "a"}], "initContainers": [{"name": "i", "ports": [{"containerPort": 80, "hostPort": 80}]}]})
}

test_leaderworkerset_worker_checked if {
	lws := {"kind": "LeaderWorkerSet", "metadata": {"name": "l"}, "spec": {"leaderWorkerTemplate": {"leaderTemplate": {"spec": {"containers": []}}, "workerTemplate": {"spec": {"hostPID": true, "containers": []}}}}}
	count(p.deny) == 1 with input as lws
}

test_host_port_inside_allowed_range_allowed if {
	count(p.deny) == 0 with input as deployment({"containers": [{"name": "a", "ports": [{"containerPort": 4317, "hostPort": 4317}]}]}) with data.privllm.params as {"host_port_ranges": [{"min": 4317, "max": 4318}]}
}

test_host_port_outside_allowed_range_denied if {
	count(p.deny) == 1 with input as deployment({"containers": [{"name": "a", "ports": [{"containerPort": 9411, "hostPort": 9411}]}]}) with data.privllm.params as {"host_port_ranges": [{"min": 4317, "max": 4318}]}
}
