package privllm.policies.l3_weights_verified_test

import rego.v1

import data.privllm.policies.l3_weights_verified as p

server(pod_spec, annotations) := {
	"kind": "Deployment",
	"metadata": {"name": "m", "annotations": annotations},
	"spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/name": "vllm-server"}}, "spec": pod_spec}},
}

pinned := {"privllm.io/weights-revision": "6f6073b423013f6a7d4d9f39144961bfbfbc386b"}

verify := {"name": "verify-weights", "args": ["sha256sum --check --strict SHA256SUMS"]}

test_verified_allowed if {
	count(p.deny) == 0 with input as server({"initContainers": [verify], "containers": [{"name": "vllm"}]}, pinned)
}

test_no_verification_denied if {
	count(p.deny) == 1 with input as server({"containers": [{"name": "vllm"}]}, pinned)
}

test_branch_name_is_not_pinned if {
	count(p.deny) == 1 with input as server({"initContainers": [verify], "containers": [{"name": "vllm"}]}, {"privllm.io/weights-revision": "main"})
}

test_other_workloads_ignored if {
	count(p.deny) == 0 with input as {"kind": "Deployment", "metadata": {"name": "x"}, "spec": {"template": {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": []}}}}
}
