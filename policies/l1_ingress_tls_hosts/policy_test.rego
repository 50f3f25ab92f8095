package privllm.policies.l1_ingress_tls_hosts_test

import rego.v1

import data.privllm.policies.l1_ingress_tls_hosts as p

backend := {"service": {"name": "gw", "port": {"number": 8080}}}

ingress(rules, tls) := {"kind": "Ingress", "metadata": {"name": "i"}, "spec": {"rules": rules, "tls": tls}}

rule(host) := {"host": host, "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": backend}]}}

test_tls_for_every_host_allowed if {
	count(p.deny) == 0 with input as ingress([rule("llm.corp.internal")], [{"hosts": ["llm.corp.internal"], "secretName": "t"}])
}

test_wildcard_certificate_covers_one_label if {
	count(p.deny) == 0 with input as ingress([rule("llm.corp.internal")], [{"hosts": ["*.corp.internal"], "secretName": "t"}])
	count(p.deny) == 1 with input as ingress([rule("a.llm.corp.internal")], [{"hosts": ["*.corp.internal"], "secretName": "t"}])
}

test_plain_http_denied if {
	count(p.deny) == 1 with input as ingress([rule("llm.corp.internal")], [])
}

test_second_host_without_tls_denied if {
	count(p.deny) == 1 with input as ingress([rule("llm.corp.internal"), rule("admin.corp.internal")], [{"hosts": ["llm.corp.internal"]}])
}

test_catch_all_rule_denied if {
	count(p.deny) == 1 with input as ingress([{"http": {"paths": [{"path": "/", "backend": backend}]}}], [{"hosts": ["llm.corp.internal"]}])
}

test_default_backend_denied if {
	count(p.deny) == 1 with input as {"kind": "Ingress", "metadata": {"name": "i"}, "spec": {"defaultBackend": backend}}
}

listener(protocol, hostname, tls) := {"name": "l", "protocol": protocol, "hostname": hostname, "port": 443, "tls": tls}

gateway(listeners) := {"kind": "Gateway", "metadata": {"name": "g"}, "spec": {"gatewayClassName": "internal", "listeners": listeners}}

test_https_listener_allowed if {
	count(p.deny) == 0 with input as gateway([listener("HTTPS", "llm.corp.internal", {"mode": "Terminate", "certificateRefs": [{"name": "t"}]})])
}

test_http_listener_denied if {
	count(p.deny) == 1 with input as gateway([listener("HTTP", "llm.corp.internal", {})])
}

test_listener_without_hostname_denied if {
	count(p.deny) == 1 with input as gateway([{"name": "l", "protocol": "TLS", "port": 443, "tls": {"mode": "Passthrough"}}])
}

test_https_without_certificate_denied if {
	count(p.deny) == 1 with input as gateway([listener("HTTPS", "llm.corp.internal", {"mode": "Terminate"})])
}

test_route_without_hostnames_denied if {
	count(p.deny) == 1 with input as {"kind": "HTTPRoute", "metadata": {"name": "r"}, "spec": {"parentRefs": [{"name": "g"}]}}
	count(p.deny) == 1 with input as {"kind": "HTTPRoute", "metadata": {"name": "r"}, "spec": {"hostnames": ["*"]}}
	count(p.deny) == 0 with input as {"kind": "HTTPRoute", "metadata": {"name": "r"}, "spec": {"hostnames": ["llm.corp.internal"]}}
}
