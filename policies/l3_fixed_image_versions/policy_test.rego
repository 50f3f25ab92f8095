package privllm.policies.l3_fixed_image_versions_test

import rego.v1

import data.privllm.policies.l3_fixed_image_versions as p

pod(image) := {"kind": "Pod", "metadata": {"name": "x"}, "spec": {"containers": [{"name": "c", "image": image}]}}

test_tag_allowed if {
	count(p.deny) == 0 with input as pod("registry.corp.internal:5000/mirror/redis:7.4.1")
}

test_latest_denied if {
	count(p.deny) == 1 with input as pod("registry.corp.internal:5000/mirror/redis:latest")
}

test_registry_port_is_not_a_tag if {
	count(p.deny) == 1 with input as pod("registry.corp.internal:5000/mirror/redis")
}

test_uppercase_latest_denied if {
	count(p.deny) == 1 with input as pod("r.internal/redis:LATEST")
}

test_digest_allowed if {
	count(p.deny) == 0 with input as pod("r.internal/redis@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
}
