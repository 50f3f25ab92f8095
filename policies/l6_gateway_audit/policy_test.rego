package privllm.policies.l6_gateway_audit_test

import rego.v1

import data.privllm.policies.l6_gateway_audit as p

gateway(env) := {"kind": "Deployment", "metadata": {"name": "llm-gateway"}, "spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/name": "llm-gateway"}}, "spec": {"containers": [{"name": "gateway", "env": env}]}}}}

test_https_allowed if {
	count(p.deny) == 0 with input as gateway([{"name": "OTEL_EXPORTER_OTLP_ENDPOINT", "value": "https://otel:4317"}])
}

test_missing_denied if {
	count(p.deny) == 1 with input as gateway([])
}

test_plain_http_denied if {
	count(p.deny) == 1 with input as gateway([{"name": "OTEL_EXPORTER_OTLP_ENDPOINT", "value": "http://otel:4317"}])
}

test_insecure_flag_denied if {
	count(p.deny) == 1 with input as gateway([{"name": "OTEL_EXPORTER_OTLP_ENDPOINT", "value": "https://otel:4317"}, {"name": "OTEL_EXPORTER_OTLP_INSECURE", "value": "True"}])
}
