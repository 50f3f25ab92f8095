package privllm.policies.l2_training_inference_separated_test

import rego.v1

import data.privllm.policies.l2_training_inference_separated as p

stack(spec) := {"kind": "StackConfig", "metadata": {"name": "s"}, "spec": spec}

test_separate_allowed if {
	count(p.deny) == 0 with input as stack({"data": {"inference_bucket": "inf", "training_bucket": "train"}})
}

test_same_bucket_denied if {
	count(p.deny) == 1 with input as stack({"data": {"inference_bucket": "llm", "training_bucket": "llm"}})
}

test_case_variant_still_same_bucket if {
	count(p.deny) == 1 with input as stack({"data": {"inference_bucket": "LLM-Data", "training_bucket": "llm-data"}})
}

test_no_buckets_allowed if {
	count(p.deny) == 0 with input as stack({"data": {"inference_bucket": null}})
}
