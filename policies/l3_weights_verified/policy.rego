# METADATA
# title: Model weights are pinned and verified
# description: >-
#   A model server (the kit's own, or any workload running vLLM) records the pinned revision of its weights (a commit or sha256 digest) and
#   checks every file against the checksum manifest in an init container before serving.
# custom:
#   id: PLLM-L3-001
#   layer: 3
#   severity: critical
#   controls: [OWASP-LLM03, OWASP-LLM04]
#   kinds: [workloads]
#   needs_text: [vllm]
package privllm.policies.l3_weights_verified

import rego.v1

import data.privllm.lib.kubernetes as k

pinned(revision) if regex.match(`^([0-9a-f]{40}|sha256:[0-9a-f]{64})$`, revision)

verifies(spec) if {
	some init in object.get(spec, "initContainers", [])
	line := k.command_line(init)
	contains(line, "sha256sum")
	contains(line, "--check")
}

deny contains msg if {
	k.is_model_server
	not pinned(object.get(k.metadata, ["annotations", "privllm.io/weights-revision"], ""))
	msg := sprintf("%s does not record a pinned weights revision (privllm.io/weights-revision)", [k.subject])
}

deny contains msg if {
	k.is_model_server
	some spec in k.pod_specs
	not verifies(spec)
	msg := sprintf("%s starts without verifying its weights against a checksum manifest", [k.subject])
}
