package privllm.policies.l3_offline_hub_mode_test

import rego.v1

import data.privllm.policies.l3_offline_hub_mode as p

server(pod_spec, annotations) := {
	"kind": "Deployment",
	"metadata": {"name": "m", "annotations": annotations},
	"spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/name": "vllm-server"}}, "spec": pod_spec}},
}

pinned := {"privllm.io/weights-revision": "6f6073b423013f6a7d4d9f39144961bfbfbc386b"}

test_offline_allowed if {
	count(p.deny) == 0 with input as server({"containers": [{"name": "vllm", "env": [{"name": "HF_HUB_OFFLINE", "value": "1"}]}]}, pinned)
}

test_missing_denied if {
	count(p.deny) == 1 with input as server({"containers": [{"name": "vllm", "env": []}]}, pinned)
}

test_zero_denied if {
	count(p.deny) == 1 with input as server({"containers": [{"name": "vllm", "env": [{"name": "HF_HUB_OFFLINE", "value": "0"}]}]}, pinned)
}

test_remote_endpoint_denied if {
	count(p.deny) == 1 with input as server({"containers": [{"name": "vllm", "env": [{"name": "HF_HUB_OFFLINE", "value": "1"}, {"name": "HF_ENDPOINT", "value": "https://hf.co"}]}]}, pinned)
}
