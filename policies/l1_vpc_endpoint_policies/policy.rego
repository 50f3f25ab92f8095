# METADATA
# title: The S3 endpoint reaches only named buckets
# description: >-
#   A gateway endpoint for S3 without a policy (or with a policy on every bucket) lets anything in
#   the VPC write to any bucket in the region: an exfiltration path around the air gap. Its policy
#   names the kit's buckets and the registry's layer bucket, never "*".
# custom:
#   id: PLLM-L1-036
#   layer: 1
#   severity: high
#   controls: [NSA-CISA:network-separation, OWASP-LLM02]
#   kinds: [CloudResource]
#   gatekeeper: false
package privllm.policies.l1_vpc_endpoint_policies

import rego.v1

import data.privllm.lib.kubernetes as k

is_s3_endpoint if {
	input.type == "aws:ec2/vpcEndpoint:VpcEndpoint"
	endswith(input.inputs.serviceName, ".s3")
}

as_set(x) := {x} if is_string(x)

as_set(x) := {v | some v in x} if is_array(x)

deny contains msg if {
	is_s3_endpoint
	not json.is_valid(object.get(input.inputs, "policy", ""))
	msg := sprintf("S3 endpoint %s has no endpoint policy: every bucket in the region is reachable", [k.name])
}

deny contains msg if {
	is_s3_endpoint
	json.is_valid(object.get(input.inputs, "policy", ""))
	policy := json.unmarshal(input.inputs.policy)
	some s in policy.Statement
	s.Effect == "Allow"
	some resource in as_set(object.get(s, "Resource", "*"))
	wildcard_bucket(resource)
	msg := sprintf("S3 endpoint %s allows %s: name the buckets", [k.name, resource])
}

# "*", "arn:aws:s3:::*" or "arn:aws:s3:::*/..." reach buckets the kit does not own.
wildcard_bucket(resource) if resource == "*"

wildcard_bucket(resource) if {
	bucket := split(regex.replace(resource, `^arn:[^:]+:s3:::`, ""), "/")[0]
	contains(bucket, "*")
}
