# METADATA
# title: No Secret with literal data
# description: >-
#   The kit never ships Kubernetes Secrets with data: secret values live in Vault and reach
#   pods as files through the CSI driver.
# custom:
#   id: PLLM-L4-006
#   layer: 4
#   severity: critical
#   controls: [CIS-5.4.1, OWASP-LLM02]
#   kinds: [Secret]
package privllm.policies.l4_no_literal_secrets

import rego.v1

import data.privllm.lib.kubernetes as k

deny contains msg if {
	input.kind == "Secret"
	some field in ["data", "stringData"]
	count(object.get(input, field, {})) > 0
	msg := sprintf("Secret %s carries literal %s; keep the value in Vault", [k.name, field])
}
