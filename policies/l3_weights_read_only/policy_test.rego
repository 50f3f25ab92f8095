package privllm.policies.l3_weights_read_only_test

import rego.v1

import data.privllm.policies.l3_weights_read_only as p

server(pod_spec, annotations) := {
	"kind": "Deployment",
	"metadata": {"name": "m", "annotations": annotations},
	"spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/name": "vllm-server"}}, "spec": pod_spec}},
}

pinned := {"privllm.io/weights-revision": "6f6073b423013f6a7d4d9f39144961bfbfbc386b"}

ro := {"containers": [{"name": "vllm", "volumeMounts": [{"name": "weights", "mountPath": "/m", "readOnly": true}]}], "volumes": [{"name": "weights", "persistentVolumeClaim": {"claimName": "w", "readOnly": true}}]}

test_read_only_allowed if {
	count(p.deny) == 0 with input as server(ro, pinned)
}

test_writable_mount_denied if {
	spec := json.patch(ro, [{"op": "replace", "path": "/containers/0/volumeMounts/0/readOnly", "value": false}])
	count(p.deny) == 1 with input as server(spec, pinned)
}

test_writable_claim_denied if {
	spec := json.patch(ro, [{"op": "remove", "path": "/volumes/0/persistentVolumeClaim/readOnly"}])
	count(p.deny) == 1 with input as server(spec, pinned)
}
