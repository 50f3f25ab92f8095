# METADATA
# title: Weights are mounted read-only
# description: >-
#   A model server cannot change its own weights: the weights volume is mounted read-only,
#   and a weights claim is attached read-only.
# custom:
#   id: PLLM-L3-008
#   layer: 3
#   severity: high
#   controls: [OWASP-LLM04, NSA-CISA:immutable-containers]
#   kinds: [workloads]
#   needs_text: [vllm]
package privllm.policies.l3_weights_read_only

import rego.v1

import data.privllm.lib.kubernetes as k

deny contains msg if {
	k.is_model_server
	some container in k.containers
	some mount in object.get(container, "volumeMounts", [])
	mount.name == "weights"
	object.get(mount, "readOnly", false) != true
	msg := sprintf("%s: container %s mounts the weights writable", [k.subject, container.name])
}

deny contains msg if {
	k.is_model_server
	some spec in k.pod_specs
	some volume in object.get(spec, "volumes", [])
	volume.name == "weights"
	volume.persistentVolumeClaim
	object.get(volume.persistentVolumeClaim, "readOnly", false) != true
	msg := sprintf("%s attaches the weights claim writable", [k.subject])
}
