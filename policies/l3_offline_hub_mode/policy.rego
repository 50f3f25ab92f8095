# METADATA
# title: Model servers run offline
# description: >-
#   Model server containers set HF_HUB_OFFLINE=1 so nothing is fetched from a model hub at
#   run time, and do not point HF_ENDPOINT at a remote hub.
# custom:
#   id: PLLM-L3-005
#   layer: 3
#   severity: high
#   controls: [OWASP-LLM03]
#   kinds: [Deployment, LeaderWorkerSet, StatefulSet, Pod]
package privllm.policies.l3_offline_hub_mode

import rego.v1

import data.privllm.lib.kubernetes as k

offline(container) if {
	some env in container.env
	env.name == "HF_HUB_OFFLINE"
	env.value in {"1", "true", "TRUE", "True"}
}

deny contains msg if {
	k.is_model_server
	some spec in k.pod_specs
	some container in spec.containers
	not offline(container)
	msg := sprintf("%s: container %s does not set HF_HUB_OFFLINE=1", [k.subject, container.name])
}

deny contains msg if {
	k.is_model_server
	some container in k.containers
	some env in object.get(container, "env", [])
	env.name == "HF_ENDPOINT"
	msg := sprintf("%s: container %s sets HF_ENDPOINT=%s", [k.subject, container.name, k.shown(env, "value")])
}
