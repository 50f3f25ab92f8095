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

test_moving_branch_tags_denied if {
	every t in ["main", "dev", "nightly", "stable", "edge", "master", "latest-gpu"] {
		count(p.deny) == 1 with input as pod(sprintf("r.internal/vllm/vllm-openai:%s", [t]))
	}
}

test_version_shaped_tags_allowed if {
	every t in ["v0.11.0", "0.11.0", "7.4.1-alpine", "12.4.1-cudnn-runtime-ubuntu22.04", "2024.05.01", "3"] {
		count(p.deny) == 0 with input as pod(sprintf("r.internal/img:%s", [t]))
	}
}

test_stack_pattern_replaces_the_default if {
	count(p.deny) == 1 with input as pod("r.internal/img:7.4.1") with data.privllm.params as {"version_tag_pattern": `^release-[0-9]+$`}
	count(p.deny) == 0 with input as pod("r.internal/img:release-12") with data.privllm.params as {"version_tag_pattern": `^release-[0-9]+$`}
}

test_nameless_container_still_denied if {
	count(p.deny) == 1 with input as {"kind": "Pod", "spec": {"containers": [{"image": "r.internal/img:main"}]}}
}
