package privllm.policies.l4_model_api_key_test

import rego.v1

import data.privllm.policies.l4_model_api_key as p

pod(container) := {"kind": "Pod", "metadata": {"name": "m"}, "spec": {"containers": [container]}}

test_key_from_file_allowed if {
	count(p.deny) == 0 with input as pod({"name": "vllm", "image": "mirror/vllm/vllm-openai:v0.11.0", "command": ["sh", "-c", "VLLM_API_KEY=\"$(cat /var/run/secrets/privllm/api-key)\"; export VLLM_API_KEY; exec vllm serve /models/m"]})
}

test_no_key_denied if {
	count(p.deny) == 1 with input as pod({"name": "vllm", "image": "mirror/vllm/vllm-openai:v0.11.0", "args": ["--model", "/models/m"]})
}

test_any_image_running_vllm_serve_is_a_model_server if {
	count(p.deny) == 1 with input as pod({"name": "app", "image": "mirror/python:3.12", "command": ["vllm", "serve", "/models/m"]})
}

test_other_workloads_are_not_model_servers if {
	count(p.deny) == 0 with input as pod({"name": "redis", "image": "mirror/redis:7.4.1"})
}

test_similar_variable_does_not_count if {
	count(p.deny) == 1 with input as pod({"name": "vllm", "image": "vllm/vllm-openai:v0.11.0", "env": [{"name": "VLLM_API_KEY_HINT", "value": "x"}]})
}

test_vllm_image_with_another_command_is_not_serving if {
	count(p.deny) == 0 with input as pod({"name": "seed", "image": "mirror/vllm-standin:0.1.0", "command": ["vllm", "seed-weights", "/models/m"]})
	count(p.deny) == 1 with input as pod({"name": "srv", "image": "mirror/vllm-standin:0.1.0", "command": ["python3", "-m", "vllm.entrypoints.openai.api_server"]})
}

test_served_model_name_is_not_serve if {
	count(p.deny) == 0 with input as pod({"name": "seed", "image": "mirror/vllm-standin:0.1.0", "command": ["vllm", "seed-weights", "/m", "--served-model-name", "m"]})
}

test_sidecar_of_a_labelled_model_server_is_not_the_model if {
	server := {"name": "vllm", "image": "mirror/vllm/vllm-openai:v0.11.0", "env": [{"name": "VLLM_API_KEY", "valueFrom": {}}]}
	sidecar := {"name": "metrics", "image": "mirror/exporter:1.0.0"}
	deployment := {"kind": "Deployment", "metadata": {"name": "m"}, "spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/name": "vllm-server"}}, "spec": {"containers": [server, sidecar]}}}}
	count(p.deny) == 0 with input as deployment
}

test_labelled_model_server_with_an_unknown_image_is_checked if {
	deployment := {"kind": "Deployment", "metadata": {"name": "m"}, "spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/name": "vllm-server"}}, "spec": {"containers": [{"name": "s", "image": "mirror/custom-server:1.0.0"}]}}}}
	count(p.deny) == 1 with input as deployment
}
