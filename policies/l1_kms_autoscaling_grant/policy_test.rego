package privllm.policies.l1_kms_autoscaling_grant_test

import rego.v1

import data.privllm.policies.l1_kms_autoscaling_grant as p

slr := "arn:aws:iam::1:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"

use := {"Effect": "Allow", "Principal": {"AWS": slr}, "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*"}

grant := {"Effect": "Allow", "Principal": {"AWS": slr}, "Action": "kms:CreateGrant", "Resource": "*", "Condition": {"Bool": {"kms:GrantIsForAWSResource": true}}}

key(statements) := {"kind": "CloudResource", "type": "aws:kms/key:Key", "metadata": {"name": "k"}, "inputs": {"policy": json.marshal({"Version": "2012-10-17", "Statement": statements})}}

lt := {"kind": "CloudResource", "type": "aws:ec2/launchTemplate:LaunchTemplate", "metadata": {"name": "lt"}, "inputs": {"blockDeviceMappings": [{"ebs": {"encrypted": "true", "kmsKeyId": "arn:k"}}]}}

test_documented_statements_allowed if {
	count(p.deny) == 0 with input as key([use, grant]) with data.privllm.inventory as [lt]
}

test_missing_both_denied if {
	count(p.deny) == 2 with input as key([]) with data.privllm.inventory as [lt]
}

test_grant_without_condition_still_denied if {
	bare := object.remove(grant, ["Condition"])
	count(p.deny) == 1 with input as key([use, bare]) with data.privllm.inventory as [lt]
}

test_partial_use_denied if {
	partial := object.union(use, {"Action": ["kms:Decrypt"]})
	count(p.deny) == 1 with input as key([partial, grant]) with data.privllm.inventory as [lt]
}

test_lookalike_role_denied if {
	fake := "arn:aws:iam::1:role/AWSServiceRoleForAutoScaling"
	count(p.deny) == 2 with input as key([object.union(use, {"Principal": {"AWS": fake}}), object.union(grant, {"Principal": {"AWS": fake}})]) with data.privllm.inventory as [lt]
}

test_deny_statement_does_not_count if {
	count(p.deny) == 2 with input as key([object.union(use, {"Effect": "Deny"}), object.union(grant, {"Effect": "Deny"})]) with data.privllm.inventory as [lt]
}

test_no_customer_key_volumes_not_applicable if {
	count(p.deny) == 0 with input as key([]) with data.privllm.inventory as []
}

test_key_without_policy_denied if {
	count(p.deny) == 2 with input as {"kind": "CloudResource", "type": "aws:kms/key:Key", "metadata": {"name": "k"}, "inputs": {}} with data.privllm.inventory as [lt]
}
