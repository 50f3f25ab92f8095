package privllm.policies.l1_vpc_endpoint_policies_test

import rego.v1

import data.privllm.policies.l1_vpc_endpoint_policies as p

endpoint(policy) := {"kind": "CloudResource", "type": "aws:ec2/vpcEndpoint:VpcEndpoint", "metadata": {"name": "s3"}, "inputs": {"serviceName": "com.amazonaws.eu-central-1.s3", "policy": policy}}

doc(resources) := json.marshal({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject"], "Resource": resources}]})

test_named_buckets_allowed if {
	count(p.deny) == 0 with input as endpoint(doc(["arn:aws:s3:::corp-llm-weights", "arn:aws:s3:::corp-llm-weights/*"]))
}

test_no_policy_denied if {
	count(p.deny) == 1 with input as endpoint("")
}

test_star_denied if {
	count(p.deny) == 1 with input as endpoint(doc("*"))
}

test_all_buckets_arn_denied if {
	count(p.deny) == 1 with input as endpoint(doc(["arn:aws:s3:::*/*"]))
}

test_bucket_prefix_wildcard_denied if {
	count(p.deny) == 1 with input as endpoint(doc(["arn:aws:s3:::corp-*/*"]))
}

test_object_wildcard_in_named_bucket_allowed if {
	count(p.deny) == 0 with input as endpoint(doc(["arn:aws:s3:::prod-eu-central-1-starport-layer-bucket/*"]))
}

test_interface_endpoints_not_in_scope if {
	count(p.deny) == 0 with input as {"kind": "CloudResource", "type": "aws:ec2/vpcEndpoint:VpcEndpoint", "metadata": {"name": "sts"}, "inputs": {"serviceName": "com.amazonaws.eu-central-1.sts"}}
}
