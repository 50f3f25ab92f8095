# METADATA
# title: Model servers require an API key
# description: >-
#   Every container running vLLM (the kit's own, or any running a vLLM image or `vllm
#   serve`) requires a key on its OpenAI API: VLLM_API_KEY read from a mounted file, or
#   --api-key. Without one, anything that reaches the pod uses the model and bypasses the
#   gateway's keys, limits and guards. (The key itself never sits in the manifest: see
#   PLLM-L4-005.)
# custom:
#   id: PLLM-L4-010
#   layer: 4
#   severity: high
#   controls: [OWASP-LLM10, NSA-CISA:authentication-authorization]
#   kinds: [workloads]
#   needs_text: [vllm]
package privllm.policies.l4_model_api_key

import rego.v1

import data.privllm.lib.kubernetes as k

requires_key(container) if {
	line := k.command_line(container)
	contains(line, "api-key")
	regex.match(`(^|[^a-z0-9-])(vllm-api-key|--api-key)([^a-z0-9-]|$)`, line)
}

requires_key(container) if {
	some env in k.env_of(container)
	env.name == "VLLM_API_KEY"
}

deny contains msg if {
	some container in k.model_containers
	not requires_key(container)
	msg := sprintf("%s: container %s serves the model without an API key (VLLM_API_KEY or --api-key)", [k.subject, container.name])
}
