# METADATA
# title: Training and inference data are stored apart
# description: >-
#   Inference data (stored prompts and completions) and training data never share a bucket,
#   so production traffic cannot silently become training material.
# custom:
#   id: PLLM-L2-003
#   layer: 2
#   severity: high
#   controls: [OWASP-LLM04, OWASP-LLM02]
#   kinds: [StackConfig]
#   gatekeeper: false
package privllm.policies.l2_training_inference_separated

import rego.v1

data_policy := input.spec.data if input.kind == "StackConfig"

deny contains msg if {
	is_string(data_policy.inference_bucket)
	is_string(object.get(data_policy, "training_bucket", null))
	lower(data_policy.inference_bucket) == lower(data_policy.training_bucket)
	msg := sprintf("inference and training data share the bucket %s", [data_policy.inference_bucket])
}
