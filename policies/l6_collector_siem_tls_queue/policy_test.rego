package privllm.policies.l6_collector_siem_tls_queue_test

import rego.v1

import data.privllm.policies.l6_collector_siem_tls_queue as p

collector(exporters) := {"kind": "HelmRelease", "metadata": {"name": "c"}, "spec": {"chart": "oci://m/charts/opentelemetry-collector", "values": {"mode": "statefulset", "config": {"receivers": {"otlp": {}}, "exporters": exporters}}}}

good := {"tls": {"insecure": false, "ca_file": "/ca"}, "sending_queue": {"enabled": true, "storage": "file_storage/queue"}}

test_tls_and_queue_allowed if {
	count(p.deny) == 0 with input as collector({"syslog/siem": good})
}

test_insecure_denied if {
	count(p.deny) == 1 with input as collector({"syslog/siem": json.patch(good, [{"op": "replace", "path": "/tls/insecure", "value": true}])})
}

test_memory_queue_denied if {
	count(p.deny) == 1 with input as collector({"syslog/siem": {"tls": {}, "sending_queue": {"enabled": true}}})
}

test_no_exporter_denied if {
	count(p.deny) == 1 with input as collector({})
}

test_collector_without_otlp_receiver_is_not_central if {
	agent := json.patch(collector({}), [{"op": "replace", "path": "/spec/values/config/receivers", "value": {"filelog": {}}}])
	count(p.deny) == 0 with input as agent
}
