# METADATA
# title: Retrieved documents are filtered by permission
# description: >-
#   The gateway drops every retrieved document the caller may not read before the prompt is
#   assembled; the filter cannot be turned off.
# custom:
#   id: PLLM-L5-002
#   layer: 5
#   severity: high
#   controls: [OWASP-LLM08, OWASP-LLM02]
#   kinds: [ConfigMap, StackConfig]
#   needs_text: {ConfigMap: [gateway.yaml]}
#   gatekeeper: false
package privllm.policies.l5_rag_acl

import rego.v1

import data.privllm.lib.kubernetes as k

deny contains "the gateway's RAG access-list filter is turned off (guardrails.rag_acl: false)" if {
	k.gateway_config.guardrails.rag_acl == false
}

deny contains "the stack turns the RAG access-list filter off (gateway.guardrails.rag_acl)" if {
	input.kind == "StackConfig"
	object.get(input.spec.gateway.guardrails, "rag_acl", false) != true
}
