# METADATA
# title: Prompt logging is allowed for the data classification
# description: >-
#   Prompts and completions are logged only as the most sensitive model allows: restricted
#   data never, confidential data at most as a hash, internal and public data hashed or redacted.
# custom:
#   id: PLLM-L2-001
#   layer: 2
#   severity: critical
#   controls: [OWASP-LLM02, NSA-CISA:audit-logging]
#   kinds: [StackConfig, ConfigMap]
#   needs_text: {ConfigMap: [gateway.yaml]}
#   gatekeeper: false
package privllm.policies.l2_prompt_logging_by_classification

import rego.v1

import data.privllm.lib.kubernetes as k

# Modes each classification tolerates (privllm/facts.py ALLOWED_PROMPT_LOGGING, a parameter).
allowed := {cls: {mode | some mode in modes} | some cls, modes in object.get(k.params, "allowed_prompt_logging", {})}

deny contains msg if {
	input.kind == "StackConfig"
	some model in input.spec.models
	mode := input.spec.data.prompt_logging
	not mode in allowed[model.data_classification]
	msg := sprintf("prompt logging %q is not allowed for model %s classified %s", [mode, model.name, model.data_classification])
}

deny contains msg if {
	cfg := k.gateway_config
	some upstream in cfg.upstreams
	not cfg.prompt_logging in allowed[object.get(upstream, "data_classification", "restricted")]
	msg := sprintf("gateway logs prompts as %q, not allowed for %s (%s)", [cfg.prompt_logging, k.shown(upstream, "name"), object.get(upstream, "data_classification", "unclassified")])
}
