# METADATA
# title: Model servers run offline
# description: >-
#   Model server containers (the kit's own, or any running a vLLM image or `vllm serve`) set HF_HUB_OFFLINE=1 so nothing is fetched from a model hub at
#   run time, and do not point HF_ENDPOINT at a remote hub.
# custom:
#   id: PLLM-L3-005
#   layer: 3
#   severity: high
#   controls: [OWASP-LLM03]
#   kinds: [workloads]
#   needs_text: [vllm]
package privllm.policies.l3_offline_hub_mode

import rego.v1

import data.privllm.lib.kubernetes as k

offline(container) if {
	some env in k.env_of(container)
	env.name == "HF_HUB_OFFLINE"
	lower(sprintf("%v", [object.get(env, "value", "")])) in {"1", "true"}
}

deny contains msg if {
	some container in k.model_containers
	not offline(container)
	msg := sprintf("%s: container %s does not set HF_HUB_OFFLINE=1", [k.subject, container.name])
}

deny contains msg if {
	some container in k.model_containers
	some env in k.env_of(container)
	env.name == "HF_ENDPOINT"
	msg := sprintf("%s: container %s sets HF_ENDPOINT=%s", [k.subject, container.name, k.shown(env, "value")])
}
