package privllm.policies.l3_images_from_mirror_test

import rego.v1

import data.privllm.policies.l3_images_from_mirror as p

pod(image) := {"kind": "Pod", "metadata": {"name": "x"}, "spec": {"containers": [{"name": "c", "image": image}]}}

params := {"mirror": "registry.corp.internal:5000/mirror", "chart_repository": "oci://registry.corp.internal:5000/charts"}

test_mirror_image_allowed if {
	count(p.deny) == 0 with input as pod("registry.corp.internal:5000/mirror/vllm/vllm-openai:v0.11.0") with data.privllm.params as params
}

test_public_image_denied if {
	count(p.deny) == 1 with input as pod("docker.io/vllm/vllm-openai:v0.11.0") with data.privllm.params as params
}

test_lookalike_host_denied if {
	count(p.deny) == 1 with input as pod("registry.corp.internal:5000.evil.example/mirror/vllm:v1") with data.privllm.params as params
}

test_lookalike_path_denied if {
	count(p.deny) == 1 with input as pod("registry.corp.internal:5000/mirror-evil/vllm:v1") with data.privllm.params as params
}

test_without_mirror_bare_name_is_docker_hub if {
	count(p.deny) == 1 with input as pod("redis:7.4.1")
}

test_without_mirror_private_registry_allowed if {
	count(p.deny) == 0 with input as pod("harbor.corp.internal/privllm/redis:7.4.1")
}

test_subdomain_of_public_registry_denied if {
	count(p.deny) == 1 with input as pod("europe-docker.gcr.io/x/y:1")
}

test_chart_outside_mirror_denied if {
	release := {"kind": "HelmRelease", "metadata": {"name": "k"}, "spec": {"chart": "oci://ghcr.io/kedacore/charts/keda", "version": "2.16.0"}}
	count(p.deny) == 1 with input as release with data.privllm.params as params
}

test_allowed_registry_accepted if {
	count(p.deny) == 0 with input as pod("harbor.team.internal/ml/vllm:v1") with data.privllm.params as {"mirror": "registry.corp.internal:5000/mirror", "allowed_registries": ["harbor.team.internal/ml"]}
}

test_allowed_registry_is_path_bounded if {
	count(p.deny) == 1 with input as pod("harbor.team.internal/ml-evil/vllm:v1") with data.privllm.params as {"mirror": "registry.corp.internal:5000/mirror", "allowed_registries": ["harbor.team.internal/ml"]}
}
